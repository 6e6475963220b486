// Proves that generated API keys have the documented shape, are unique, and that key ids use
// every base62 character with no visible bias.
import { generateApiKey, isApiKeyId, randomBase62 } from './api-key';

describe('generateApiKey', () => {
  it('makes an ak_ id of 20 base62 characters and a 32-byte base64url secret', () => {
    const { keyId, secret } = generateApiKey();
    expect(keyId).toMatch(/^ak_[0-9A-Za-z]{20}$/);
    expect(isApiKeyId(keyId)).toBe(true);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('never repeats itself', () => {
    const keys = Array.from({ length: 1_000 }, () => generateApiKey());
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1_000);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(1_000);
  });

  it('draws base62 characters evenly', () => {
    const counts = new Map<string, number>();
    for (const char of randomBase62(62_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 1 000 each; 6 standard deviations (about 190) is a bound a fair source never hits.
    for (const count of counts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(200);
  });

  it('recognises only well-formed key ids', () => {
    expect(isApiKeyId('ak_short')).toBe(false);
    expect(isApiKeyId(`ak_${'a'.repeat(19)}-`)).toBe(false);
    expect(isApiKeyId(`xx_${'a'.repeat(20)}`)).toBe(false);
  });
});
