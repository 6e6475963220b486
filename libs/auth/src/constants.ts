// Bounds and sizes of the authentication primitives, each with the reason for its number.

/**
 * Largest accepted difference, in milliseconds, between a signed timestamp and the verifier's
 * clock (either direction). Signed headers are replayable inside this window, so it is short;
 * 30 s still absorbs ordinary NTP drift between the gateway and order-service hosts.
 */
export const IDENTITY_CLOCK_SKEW_MS_MAX = 30_000;

/**
 * The same bound for a trader's request signature, checked by the gateway. Clients run on
 * machines we do not control, so a little more room than between our own hosts.
 */
export const REQUEST_CLOCK_SKEW_MS_MAX = 30_000;

/** Random bytes in an API key secret: 256 bits, the HMAC-SHA256 key size. */
export const API_KEY_SECRET_BYTES = 32;

/** Base62 characters after the `ak_` prefix of a public key id: about 119 bits, never guessed. */
export const API_KEY_ID_RANDOM_CHARS = 20;

/** Prefix of every public API key id, so a key id is recognisable in logs and support tickets. */
export const API_KEY_ID_PREFIX = 'ak_';

/** AES-256-GCM: a 32-byte key, a 12-byte random IV per encryption, a 16-byte tag. */
export const ENCRYPTION_KEY_BYTES = 32;
export const ENCRYPTION_IV_BYTES = 12;
export const ENCRYPTION_TAG_BYTES = 16;

/** Longest user id accepted in a signed identity; user ids are UUIDs (36 characters). */
export const USER_ID_LENGTH_MAX = 64;
