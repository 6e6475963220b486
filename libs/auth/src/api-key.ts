import { randomBytes } from 'node:crypto';
import { API_KEY_ID_PREFIX, API_KEY_ID_RANDOM_CHARS, API_KEY_SECRET_BYTES } from './constants';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 248 = 4 x 62: bytes at or above it are dropped so every character is equally likely. */
const BASE62_UNBIASED_LIMIT = 248;

/** A trader's API key: the public id, and the secret that is shown once and stored encrypted. */
export interface GeneratedApiKey {
  /** Public identifier sent with every signed request, e.g. `ak_7Gq...` (23 characters). */
  readonly keyId: string;
  /** 32 random bytes, base64url (43 characters): the HMAC key of request signatures. */
  readonly secret: string;
}

/** `length` uniformly random base62 characters (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= BASE62_UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A fresh API key from the operating system's CSPRNG. */
export function generateApiKey(): GeneratedApiKey {
  return {
    keyId: `${API_KEY_ID_PREFIX}${randomBase62(API_KEY_ID_RANDOM_CHARS)}`,
    secret: randomBytes(API_KEY_SECRET_BYTES).toString('base64url'),
  };
}

/** Whether `value` has the shape of a key id made by `generateApiKey`. */
export function isApiKeyId(value: string): boolean {
  return new RegExp(`^${API_KEY_ID_PREFIX}[0-9A-Za-z]{${API_KEY_ID_RANDOM_CHARS}}$`).test(value);
}
