import { REQUEST_CLOCK_SKEW_MS_MAX } from './constants';
import { constantTimeEqual, hmacSha256Hex, sha256Hex } from './crypto-util';

// A trader signs each request with the secret of an API key; the gateway verifies it before
// forwarding a signed internal identity. These are the pure functions both sides share.
//
// signature = hex HMAC-SHA256(secret, `${timestampMs}\n${METHOD}\n${pathWithQuery}\n${sha256hex(body)}`)
//
// `body` is the exact request body bytes ('' when there is none), so any change to the body,
// the path, the query string or the method invalidates the signature.

/** Why a trader's request signature was refused. */
export const RequestSignatureErrorCode = {
  SIGNATURE_MALFORMED: 'SIGNATURE_MALFORMED',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  SIGNATURE_EXPIRED: 'SIGNATURE_EXPIRED',
} as const;
export type RequestSignatureErrorCode =
  (typeof RequestSignatureErrorCode)[keyof typeof RequestSignatureErrorCode];

export interface SignRequestInput {
  /** The API key secret, as issued (base64url text, used as the HMAC key bytes of its UTF-8). */
  readonly secret: string;
  readonly method: string;
  /** Path and query string exactly as sent, e.g. `/api/v1/orders?symbol=BTC-USDT`. */
  readonly path: string;
  /** Client time in milliseconds since the epoch; sent alongside the signature. */
  readonly timestampMs: number;
  /** Exact body bytes, or '' for none. */
  readonly body: string | Uint8Array;
}

/** The string that is signed. */
export function requestSignaturePayload(input: Omit<SignRequestInput, 'secret'>): string {
  return `${Math.trunc(input.timestampMs)}\n${input.method.toUpperCase()}\n${input.path}\n${sha256Hex(input.body)}`;
}

/** Lower-case hex HMAC-SHA256 signature of a request. */
export function signRequest(input: SignRequestInput): string {
  return hmacSha256Hex(input.secret, requestSignaturePayload(input));
}

export interface VerifyRequestInput extends SignRequestInput {
  /** The signature the client sent. */
  readonly signature: string;
  /** Verifier time in milliseconds since the epoch. */
  readonly nowMs: number;
  /** Largest accepted clock difference in ms. Default `REQUEST_CLOCK_SKEW_MS_MAX` (30 000). */
  readonly skewMsMax?: number;
}

/** Checks a trader's request signature (constant-time), then its freshness. */
export function verifyRequestSignature(
  input: VerifyRequestInput,
): { ok: true } | { ok: false; code: RequestSignatureErrorCode } {
  if (!/^[0-9a-fA-F]{64}$/.test(input.signature) || !Number.isSafeInteger(input.timestampMs)) {
    return { ok: false, code: RequestSignatureErrorCode.SIGNATURE_MALFORMED };
  }
  if (!constantTimeEqual(input.signature.toLowerCase(), signRequest(input))) {
    return { ok: false, code: RequestSignatureErrorCode.SIGNATURE_INVALID };
  }
  const skewMsMax = input.skewMsMax ?? REQUEST_CLOCK_SKEW_MS_MAX;
  if (Math.abs(input.nowMs - input.timestampMs) > skewMsMax) {
    return { ok: false, code: RequestSignatureErrorCode.SIGNATURE_EXPIRED };
  }
  return { ok: true };
}
