// Exact conversion between decimal strings and scaled integers. No floating point anywhere: a
// string either maps to exactly one integer at the given scale or is rejected with a stable code.
import { DECIMAL_TEXT_LENGTH_MAX } from '../constants';
import { ParseErrorCode, ParseResult } from '../error-codes';
import { assert } from '../assert';

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;
const EXPONENT = /^(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/;
const INFINITY = /^(inf|infinity)$/i;

/**
 * Reads a non-negative plain decimal ("12", "0.5", "100.25") as an integer scaled by 10^scale.
 * Rejects, never rounds: more fractional digits than `scale` is TOO_MANY_DECIMALS, even zeros.
 * Zero is returned as 0n; callers that need a positive value check for it.
 */
export function parseScaled(text: unknown, scale: number): ParseResult<bigint> {
  if (typeof text !== 'string') {
    return { ok: false, code: ParseErrorCode.NOT_A_NUMBER };
  }
  if (text.trim().length === 0) {
    return { ok: false, code: ParseErrorCode.EMPTY };
  }
  if (text.length > DECIMAL_TEXT_LENGTH_MAX) {
    return { ok: false, code: ParseErrorCode.VALUE_TOO_LARGE };
  }
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  if (INFINITY.test(body)) {
    return { ok: false, code: ParseErrorCode.NOT_FINITE };
  }
  if (EXPONENT.test(body)) {
    return { ok: false, code: ParseErrorCode.EXPONENT_NOTATION };
  }
  if (!PLAIN_DECIMAL.test(body)) {
    return { ok: false, code: ParseErrorCode.NOT_A_NUMBER };
  }
  if (negative) {
    return { ok: false, code: ParseErrorCode.NEGATIVE };
  }
  const dot = body.indexOf('.');
  const integerPart = dot < 0 ? body : body.slice(0, dot);
  const fractionPart = dot < 0 ? '' : body.slice(dot + 1);
  if (fractionPart.length > scale) {
    return { ok: false, code: ParseErrorCode.TOO_MANY_DECIMALS };
  }
  return { ok: true, value: BigInt(integerPart + fractionPart.padEnd(scale, '0')) };
}

/** Like parseScaled, but zero is rejected with ZERO. */
export function parsePositiveScaled(text: unknown, scale: number): ParseResult<bigint> {
  const parsed = parseScaled(text, scale);
  if (parsed.ok && parsed.value === 0n) {
    return { ok: false, code: ParseErrorCode.ZERO };
  }
  return parsed;
}

/**
 * Writes `value` / 10^scale as a plain decimal with exactly `decimals` fractional digits
 * (decimals <= scale). The digits dropped between `decimals` and `scale` must be zeros: formatting
 * never rounds.
 */
export function formatScaled(value: bigint, scale: number, decimals: number = scale): string {
  assert(decimals <= scale, `formatScaled: decimals ${decimals} > scale ${scale}`);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const integerPart = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  assert(
    /^0*$/.test(fraction.slice(decimals)),
    `formatScaled: ${value} at scale ${scale} needs more than ${decimals} decimals`,
  );
  const shown = fraction.slice(0, decimals);
  return (negative ? '-' : '') + integerPart + (decimals > 0 ? '.' + shown : '');
}

/** Number of fractional digits written in a plain decimal string ("0.010" has 3). */
export function decimalPlaces(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** 10^exponent as a bigint. */
export function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}
