import { constantTimeEqual, singleHeader } from './crypto-util';

// Operator endpoints take `Authorization: Bearer <ADMIN_API_TOKEN>`. One shared token is enough
// for the operator tooling of this exchange; it never reaches traders and is compared in
// constant time.

/** Why an admin credential was refused. Stable: they appear in HTTP error details. */
export const AdminCredentialErrorCode = {
  /** No Authorization header, or not of the form `Bearer <token>`. */
  ADMIN_CREDENTIAL_MISSING: 'ADMIN_CREDENTIAL_MISSING',
  /** A bearer token that is not the admin token. */
  ADMIN_CREDENTIAL_INVALID: 'ADMIN_CREDENTIAL_INVALID',
} as const;
export type AdminCredentialErrorCode =
  (typeof AdminCredentialErrorCode)[keyof typeof AdminCredentialErrorCode];

export type AdminVerification =
  { readonly ok: true } | { readonly ok: false; readonly code: AdminCredentialErrorCode };

const BEARER_PATTERN = /^Bearer ([\x21-\x7e]+)$/;

/** Checks an Authorization header value against the configured admin token. */
export function verifyAdminCredential(input: {
  /** ADMIN_API_TOKEN. */
  readonly token: string;
  /** The request's Authorization header, as Node delivers it. */
  readonly authorization: string | string[] | undefined;
}): AdminVerification {
  const header = singleHeader(input.authorization);
  const match = header === undefined ? null : BEARER_PATTERN.exec(header.trim());
  if (match === null) return { ok: false, code: AdminCredentialErrorCode.ADMIN_CREDENTIAL_MISSING };
  if (!constantTimeEqual(match[1], input.token)) {
    return { ok: false, code: AdminCredentialErrorCode.ADMIN_CREDENTIAL_INVALID };
  }
  return { ok: true };
}
