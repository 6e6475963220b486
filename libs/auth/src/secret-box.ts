import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ENCRYPTION_IV_BYTES, ENCRYPTION_KEY_BYTES, ENCRYPTION_TAG_BYTES } from './constants';

// API key secrets must be readable again (the gateway recomputes request signatures with them),
// so they are encrypted, not hashed: AES-256-GCM under API_KEY_ENCRYPTION_KEY.
//
// Blob layout: version (1 byte) | IV (12 bytes) | tag (16 bytes) | ciphertext.
// Version 1 means "AES-256-GCM under the current key". Rotating the key later adds a version
// (or a key id) so that old blobs stay readable while they are re-encrypted.

/** Format version written by `encryptSecret`. */
export const SECRET_BOX_VERSION = 1;

const HEADER_BYTES = 1 + ENCRYPTION_IV_BYTES + ENCRYPTION_TAG_BYTES;
const HEX_KEY_PATTERN = new RegExp(`^[0-9a-fA-F]{${ENCRYPTION_KEY_BYTES * 2}}$`);

/** Decryption failed: a wrong key, a tampered blob, or a format this code does not know. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';

  constructor(
    readonly code: 'SECRET_FORMAT_UNKNOWN' | 'SECRET_DECRYPT_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The 32-byte key from its configuration form, 64 hex characters. Throws on anything else. */
export function parseEncryptionKey(hex: string): Buffer {
  if (!HEX_KEY_PATTERN.test(hex)) {
    throw new RangeError(`an encryption key is ${ENCRYPTION_KEY_BYTES * 2} hex characters`);
  }
  return Buffer.from(hex, 'hex');
}

function keyBytes(key: Uint8Array | string): Buffer {
  const bytes = typeof key === 'string' ? parseEncryptionKey(key) : Buffer.from(key);
  if (bytes.length !== ENCRYPTION_KEY_BYTES) {
    throw new RangeError(`an encryption key is ${ENCRYPTION_KEY_BYTES} bytes`);
  }
  return bytes;
}

/**
 * Encrypts `secret` (UTF-8) with a fresh random IV. `associatedData` (for example the key id)
 * is authenticated but not stored: decryption needs the same value, so a blob copied onto
 * another row does not decrypt there.
 */
export function encryptSecret(
  secret: string,
  encryptionKey: Uint8Array | string,
  associatedData = '',
): Buffer {
  const iv = randomBytes(ENCRYPTION_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(encryptionKey), iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([SECRET_BOX_VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** The secret inside `blob`; throws `SecretBoxError` unless key, blob and data all match. */
export function decryptSecret(
  blob: Uint8Array,
  encryptionKey: Uint8Array | string,
  associatedData = '',
): string {
  const bytes = Buffer.from(blob);
  if (bytes.length < HEADER_BYTES || bytes[0] !== SECRET_BOX_VERSION) {
    throw new SecretBoxError('SECRET_FORMAT_UNKNOWN', 'not a version 1 secret blob');
  }
  const iv = bytes.subarray(1, 1 + ENCRYPTION_IV_BYTES);
  const tag = bytes.subarray(1 + ENCRYPTION_IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', keyBytes(encryptionKey), iv);
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(HEADER_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw new SecretBoxError('SECRET_DECRYPT_FAILED', 'secret blob does not authenticate', {
      cause: error,
    });
  }
}
