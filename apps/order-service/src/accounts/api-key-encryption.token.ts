/** Injection token of the 32-byte API key encryption key (from API_KEY_ENCRYPTION_KEY). */
export const API_KEY_ENCRYPTION_KEY = Symbol('API_KEY_ENCRYPTION_KEY');
