// Proves the trader request signature: the documented string, and that changing the body,
// path, method, timestamp or secret, or letting time pass, makes verification fail.
import { createHash, createHmac } from 'node:crypto';
import { REQUEST_CLOCK_SKEW_MS_MAX } from './constants';
import { signRequest, verifyRequestSignature } from './request-signature';

const request = {
  secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3Jl',
  method: 'post',
  path: '/api/v1/orders?dryRun=false',
  timestampMs: 1_760_000_000_000,
  body: '{"symbol":"BTC-USDT","side":"BUY","quantity":"0.5"}',
};
const nowMs = request.timestampMs + 1_000;

describe('trader request signature', () => {
  it('is hex HMAC-SHA256 over ts, METHOD, path and the body hash', () => {
    const bodyHash = createHash('sha256').update(request.body).digest('hex');
    const expected = createHmac('sha256', request.secret)
      .update(`${request.timestampMs}\nPOST\n${request.path}\n${bodyHash}`)
      .digest('hex');
    expect(signRequest(request)).toBe(expected);
  });

  it('verifies the untouched request, including an empty body', () => {
    const signature = signRequest(request);
    expect(verifyRequestSignature({ ...request, signature, nowMs })).toEqual({ ok: true });
    const empty = { ...request, method: 'GET', body: '' };
    expect(verifyRequestSignature({ ...empty, signature: signRequest(empty), nowMs })).toEqual({
      ok: true,
    });
  });

  it.each([
    ['body', { body: request.body.replace('0.5', '5') }],
    ['path', { path: '/api/v1/orders' }],
    ['method', { method: 'PUT' }],
    ['timestamp', { timestampMs: request.timestampMs + 1 }],
    ['secret', { secret: 'another-secret' }],
  ])('refuses a changed %s', (_name, change) => {
    const signature = signRequest(request);
    expect(verifyRequestSignature({ ...request, ...change, signature, nowMs })).toEqual({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a stale signature and a malformed one', () => {
    const signature = signRequest(request);
    const late = request.timestampMs + REQUEST_CLOCK_SKEW_MS_MAX + 1;
    expect(verifyRequestSignature({ ...request, signature, nowMs: late })).toMatchObject({
      code: 'SIGNATURE_EXPIRED',
    });
    expect(verifyRequestSignature({ ...request, signature: 'xyz', nowMs })).toMatchObject({
      code: 'SIGNATURE_MALFORMED',
    });
  });
});
