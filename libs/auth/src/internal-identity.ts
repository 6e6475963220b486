import { IDENTITY_CLOCK_SKEW_MS_MAX, USER_ID_LENGTH_MAX } from './constants';
import { constantTimeEqual, hmacSha256Hex, singleHeader } from './crypto-util';

// The identity the gateway forwards to internal services after it has verified a trader's
// signed request. Internal services trust these headers only because they are signed with a
// secret the public never sees (INTERNAL_AUTH_SECRET), bound to the method and path of the
// request, and fresh.

/** Header names, lower-case as Node delivers them. */
export const INTERNAL_IDENTITY_HEADERS = {
  userId: 'x-user-id',
  timestamp: 'x-auth-ts',
  signature: 'x-auth-sig',
} as const;

/** Why an internal identity was refused. Stable: they appear in HTTP error details. */
export const IdentityErrorCode = {
  /** One of the three headers is absent (or repeated). */
  IDENTITY_MISSING: 'IDENTITY_MISSING',
  /** A header is present but not well-formed (user id not a UUID, timestamp not an integer). */
  IDENTITY_MALFORMED: 'IDENTITY_MALFORMED',
  /** The signature does not match the user, timestamp, method and path. */
  IDENTITY_SIGNATURE_INVALID: 'IDENTITY_SIGNATURE_INVALID',
  /** The signature is valid but its timestamp is further than the skew bound from now. */
  IDENTITY_EXPIRED: 'IDENTITY_EXPIRED',
} as const;
export type IdentityErrorCode = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

export type IdentityVerification =
  | { readonly ok: true; readonly userId: string }
  | { readonly ok: false; readonly code: IdentityErrorCode };

/** Users are rows keyed by UUID; anything else cannot name one. */
const USER_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP_PATTERN = /^\d{1,16}$/;

/**
 * The exact string that is signed: `v1\n${userId}\n${timestampMs}\n${METHOD}\n${pathWithQuery}`.
 * The method is upper-cased; the path is the request target as the internal service receives it
 * (path and query string, e.g. `/api/v1/orders?symbol=BTC-USDT`), byte for byte.
 */
export function internalIdentityPayload(
  userId: string,
  timestampMs: number,
  method: string,
  pathWithQuery: string,
): string {
  return `v1\n${userId}\n${timestampMs}\n${method.toUpperCase()}\n${pathWithQuery}`;
}

export interface SignInternalIdentityInput {
  /** INTERNAL_AUTH_SECRET, shared by the gateway and the internal services. */
  readonly secret: string;
  /** The authenticated user's id (a UUID). */
  readonly userId: string;
  /** HTTP method of the forwarded request. */
  readonly method: string;
  /** Path and query string of the forwarded request, as the internal service will see it. */
  readonly path: string;
  /** Signing time in milliseconds since the epoch. */
  readonly nowMs: number;
}

/** The three headers that carry a signed identity to an internal service. */
export function signInternalIdentity(input: SignInternalIdentityInput): Record<string, string> {
  const timestampMs = Math.trunc(input.nowMs);
  const payload = internalIdentityPayload(input.userId, timestampMs, input.method, input.path);
  return {
    [INTERNAL_IDENTITY_HEADERS.userId]: input.userId,
    [INTERNAL_IDENTITY_HEADERS.timestamp]: String(timestampMs),
    [INTERNAL_IDENTITY_HEADERS.signature]: hmacSha256Hex(input.secret, payload),
  };
}

export interface VerifyInternalIdentityInput {
  readonly secret: string;
  /** Request headers as Node delivers them (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly method: string;
  /** Path and query string of the request as received. */
  readonly path: string;
  /** Verification time in milliseconds since the epoch. */
  readonly nowMs: number;
  /** Largest accepted clock difference in ms. Default `IDENTITY_CLOCK_SKEW_MS_MAX` (30 000). */
  readonly skewMsMax?: number;
}

/**
 * Checks a signed identity: all three headers present once, well-formed, the signature matching
 * (constant-time comparison), and the timestamp within the skew bound of `nowMs`. The signature
 * is checked before freshness, so a forged header set is reported as forged, whatever its age.
 */
export function verifyInternalIdentity(input: VerifyInternalIdentityInput): IdentityVerification {
  const userId = singleHeader(input.headers[INTERNAL_IDENTITY_HEADERS.userId]);
  const timestamp = singleHeader(input.headers[INTERNAL_IDENTITY_HEADERS.timestamp]);
  const signature = singleHeader(input.headers[INTERNAL_IDENTITY_HEADERS.signature]);
  if (!userId || !timestamp || !signature) {
    return { ok: false, code: IdentityErrorCode.IDENTITY_MISSING };
  }
  if (
    userId.length > USER_ID_LENGTH_MAX ||
    !USER_ID_PATTERN.test(userId) ||
    !TIMESTAMP_PATTERN.test(timestamp)
  ) {
    return { ok: false, code: IdentityErrorCode.IDENTITY_MALFORMED };
  }
  const timestampMs = Number(timestamp);
  const payload = internalIdentityPayload(userId, timestampMs, input.method, input.path);
  if (!constantTimeEqual(signature.toLowerCase(), hmacSha256Hex(input.secret, payload))) {
    return { ok: false, code: IdentityErrorCode.IDENTITY_SIGNATURE_INVALID };
  }
  const skewMsMax = input.skewMsMax ?? IDENTITY_CLOCK_SKEW_MS_MAX;
  if (Math.abs(input.nowMs - timestampMs) > skewMsMax) {
    return { ok: false, code: IdentityErrorCode.IDENTITY_EXPIRED };
  }
  return { ok: true, userId };
}
