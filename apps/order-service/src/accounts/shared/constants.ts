// Bounds of the account endpoints, each with the reason for its number.

/**
 * Active (unrevoked) API keys one user may hold. Enough for a few bots and a rotation in
 * progress; a bound so that a leaked operator token cannot fill the table for one user.
 */
export const API_KEYS_ACTIVE_PER_USER_MAX = 10;

/** Longest transfer reference (an operator's bank or chain transaction id). */
export const TRANSFER_REFERENCE_LENGTH_MAX = 128;

/** Longest user name; the users table checks the same bound. */
export const USER_NAME_LENGTH_MAX = 64;

/** Longest API key label. */
export const API_KEY_LABEL_LENGTH_MAX = 64;
