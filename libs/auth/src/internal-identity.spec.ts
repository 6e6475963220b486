// Proves that a gateway-signed identity verifies only for the same user, method, path and a
// fresh timestamp, and that every other case is refused with its stable code.
import { IDENTITY_CLOCK_SKEW_MS_MAX } from './constants';
import {
  INTERNAL_IDENTITY_HEADERS as H,
  internalIdentityPayload,
  signInternalIdentity,
  verifyInternalIdentity,
} from './internal-identity';
import { hmacSha256Hex } from './crypto-util';

const secret = 's'.repeat(40);
const userId = '0b6f3c1e-7a2d-4c1e-9f00-2b3c4d5e6f70';
const otherUser = '1b6f3c1e-7a2d-4c1e-9f00-2b3c4d5e6f70';
const nowMs = 1_760_000_000_000;
const path = '/api/v1/balances?asset=BTC';

function signed(overrides: Partial<Parameters<typeof signInternalIdentity>[0]> = {}) {
  return signInternalIdentity({ secret, userId, method: 'get', path, nowMs, ...overrides });
}

function verify(headers: Record<string, string | string[] | undefined>, extra = {}) {
  return verifyInternalIdentity({ secret, headers, method: 'GET', path, nowMs, ...extra });
}

describe('internal identity', () => {
  it('signs the documented string with HMAC-SHA256', () => {
    const headers = signed();
    expect(internalIdentityPayload(userId, nowMs, 'get', path)).toBe(
      `v1\n${userId}\n${nowMs}\nGET\n${path}`,
    );
    expect(headers).toEqual({
      [H.userId]: userId,
      [H.timestamp]: String(nowMs),
      [H.signature]: hmacSha256Hex(secret, `v1\n${userId}\n${nowMs}\nGET\n${path}`),
    });
    expect(verify(headers)).toEqual({ ok: true, userId });
  });

  it('accepts a timestamp at the skew bound, either side', () => {
    for (const delta of [IDENTITY_CLOCK_SKEW_MS_MAX, -IDENTITY_CLOCK_SKEW_MS_MAX]) {
      expect(verify(signed({ nowMs: nowMs + delta }))).toEqual({ ok: true, userId });
    }
  });

  it('refuses an expired or future-dated identity', () => {
    for (const delta of [IDENTITY_CLOCK_SKEW_MS_MAX + 1, -IDENTITY_CLOCK_SKEW_MS_MAX - 1]) {
      expect(verify(signed({ nowMs: nowMs + delta }))).toEqual({
        ok: false,
        code: 'IDENTITY_EXPIRED',
      });
    }
    expect(verify(signed({ nowMs: nowMs - 5_000 }), { skewMsMax: 1_000 })).toMatchObject({
      code: 'IDENTITY_EXPIRED',
    });
  });

  it.each([
    [
      'a tampered signature',
      { [H.signature]: signed()[H.signature].replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) },
    ],
    ['another user', { [H.userId]: otherUser }],
    ['another timestamp', { [H.timestamp]: String(nowMs + 1) }],
  ])('refuses %s as SIGNATURE_INVALID', (_name, change) => {
    expect(verify({ ...signed(), ...change })).toEqual({
      ok: false,
      code: 'IDENTITY_SIGNATURE_INVALID',
    });
  });

  it('binds the method, the path and the query string', () => {
    const headers = signed();
    expect(verify(headers, { method: 'POST' })).toMatchObject({
      code: 'IDENTITY_SIGNATURE_INVALID',
    });
    expect(verify(headers, { path: '/api/v1/balances' })).toMatchObject({
      code: 'IDENTITY_SIGNATURE_INVALID',
    });
    expect(verify(headers, { secret: 't'.repeat(40) })).toMatchObject({
      code: 'IDENTITY_SIGNATURE_INVALID',
    });
  });

  it('reports a forged signature as forged even when it is also old', () => {
    const old = signed({ nowMs: nowMs - 10 * IDENTITY_CLOCK_SKEW_MS_MAX });
    expect(verify({ ...old, [H.userId]: otherUser })).toMatchObject({
      code: 'IDENTITY_SIGNATURE_INVALID',
    });
  });

  it.each([H.userId, H.timestamp, H.signature])('refuses a missing or empty %s', (name) => {
    expect(verify({ ...signed(), [name]: undefined })).toEqual({
      ok: false,
      code: 'IDENTITY_MISSING',
    });
    expect(verify({ ...signed(), [name]: '' })).toMatchObject({ code: 'IDENTITY_MISSING' });
  });

  it('refuses a repeated header', () => {
    const headers = signed();
    expect(verify({ ...headers, [H.userId]: [userId, otherUser] })).toMatchObject({
      code: 'IDENTITY_MISSING',
    });
  });

  it.each([
    ['a user id that is not a UUID', { [H.userId]: 'alice' }],
    ['a user id with a newline', { [H.userId]: `${userId}\nGET` }],
    ['a fractional timestamp', { [H.timestamp]: '1.5' }],
    ['a negative timestamp', { [H.timestamp]: '-1' }],
  ])('refuses %s as MALFORMED', (_name, change) => {
    expect(verify({ ...signed(), ...change })).toEqual({ ok: false, code: 'IDENTITY_MALFORMED' });
  });
});
