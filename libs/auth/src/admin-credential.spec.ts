// Proves that only `Bearer <the admin token>` is accepted, and that other headers are refused
// with MISSING (no usable bearer credential) or INVALID (a wrong token).
import { verifyAdminCredential } from './admin-credential';

const token = 'operator-token-0123456789abcdef';

describe('verifyAdminCredential', () => {
  it('accepts the exact bearer token', () => {
    expect(verifyAdminCredential({ token, authorization: `Bearer ${token}` })).toEqual({
      ok: true,
    });
  });

  it.each([
    ['a wrong token', `Bearer ${token}x`],
    ['a prefix of the token', `Bearer ${token.slice(0, -1)}`],
    ['another token', 'Bearer something-else-entirely-000000'],
  ])('refuses %s as INVALID', (_name, authorization) => {
    expect(verifyAdminCredential({ token, authorization })).toEqual({
      ok: false,
      code: 'ADMIN_CREDENTIAL_INVALID',
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', `Basic ${token}`],
    ['a bare token', token],
    ['two headers', [`Bearer ${token}`, `Bearer ${token}`]],
  ])('refuses %s as MISSING', (_name, authorization) => {
    expect(verifyAdminCredential({ token, authorization })).toEqual({
      ok: false,
      code: 'ADMIN_CREDENTIAL_MISSING',
    });
  });
});
