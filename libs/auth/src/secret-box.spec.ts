// Proves that a secret round-trips through AES-256-GCM only with the same key and associated
// data, that every encryption uses a fresh IV, and that any tampering is detected.
import { randomBytes } from 'node:crypto';
import { SecretBoxError, decryptSecret, encryptSecret, parseEncryptionKey } from './secret-box';

const keyHex = randomBytes(32).toString('hex');
const secret = 'Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWo';

function decryptError(run: () => unknown): SecretBoxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretBoxError) return error;
    throw error;
  }
  throw new Error('expected a SecretBoxError');
}

describe('secret box', () => {
  it('round-trips with the hex key or its bytes', () => {
    const blob = encryptSecret(secret, keyHex, 'ak_1');
    expect(blob[0]).toBe(1);
    expect(blob.length).toBe(1 + 12 + 16 + Buffer.byteLength(secret));
    expect(decryptSecret(blob, keyHex, 'ak_1')).toBe(secret);
    expect(decryptSecret(blob, parseEncryptionKey(keyHex), 'ak_1')).toBe(secret);
  });

  it('uses a fresh IV each time and never stores the plain text', () => {
    const a = encryptSecret(secret, keyHex);
    const b = encryptSecret(secret, keyHex);
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes(Buffer.from(secret))).toBe(false);
  });

  it('refuses a wrong key', () => {
    const blob = encryptSecret(secret, keyHex);
    expect(decryptError(() => decryptSecret(blob, randomBytes(32))).code).toBe(
      'SECRET_DECRYPT_FAILED',
    );
  });

  it('refuses other associated data (a blob copied onto another key row)', () => {
    const blob = encryptSecret(secret, keyHex, 'ak_1');
    expect(decryptError(() => decryptSecret(blob, keyHex, 'ak_2')).code).toBe(
      'SECRET_DECRYPT_FAILED',
    );
  });

  it.each([
    ['the ciphertext', -1],
    ['the tag', 1 + 12 + 3],
    ['the IV', 1 + 2],
  ])('detects a flipped bit in %s', (_part, offset) => {
    const blob = encryptSecret(secret, keyHex);
    const index = offset < 0 ? blob.length + offset : offset;
    blob[index] ^= 0x01;
    expect(decryptError(() => decryptSecret(blob, keyHex)).code).toBe('SECRET_DECRYPT_FAILED');
  });

  it('refuses an unknown version or a truncated blob', () => {
    const blob = encryptSecret(secret, keyHex);
    blob[0] = 2;
    expect(decryptError(() => decryptSecret(blob, keyHex)).code).toBe('SECRET_FORMAT_UNKNOWN');
    expect(decryptError(() => decryptSecret(Buffer.alloc(10, 1), keyHex)).code).toBe(
      'SECRET_FORMAT_UNKNOWN',
    );
  });

  it('accepts only 64-hex-character keys', () => {
    expect(() => parseEncryptionKey('ab')).toThrow(RangeError);
    expect(() => parseEncryptionKey('g'.repeat(64))).toThrow(RangeError);
    expect(() => encryptSecret(secret, Buffer.alloc(16))).toThrow(RangeError);
  });
});
