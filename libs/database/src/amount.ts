import type { FindOperator, ValueTransformer } from 'typeorm';
import { ASSET_SCALE_MAX, parseScaled } from '@app/domain';

// Money columns are NUMERIC(38,0) in minor units and tick/lot columns are BIGINT; node-postgres
// returns both as strings so that no digit is lost. These helpers turn them into exact integers.

const INTEGER_PATTERN = /^-?\d+$/;

/**
 * An integer column value (a NUMERIC(38,0) or BIGINT string, a safe integer number, or a bigint)
 * as a bigint. Throws on anything else, including a fraction: money is never silently rounded.
 */
export function toBigInt(value: string | number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    return BigInt(value);
  }
  if (typeof value !== 'string' || !INTEGER_PATTERN.test(value)) {
    throw new RangeError(`not an integer amount: ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

/**
 * A BIGINT column value (ticks, lots, sequences) as a JS number, asserting it is a safe integer:
 * the order book computes with numbers, so a value past 2^53 - 1 must stop, not lose precision.
 */
export function toSafeInteger(value: string | number | bigint): number {
  const asBigInt = toBigInt(value);
  const asNumber = Number(asBigInt);
  if (!Number.isSafeInteger(asNumber)) throw new RangeError(`not a safe integer: ${asBigInt}`);
  return asNumber;
}

/**
 * A decimal string in whole units ("100000", "0.5") as minor units of an asset with `scale`
 * decimals ("0.5" at scale 8 is 50 000 000n), read by the one decimal parser of the exchange
 * (`parseScaled` in libs/domain, the one the API uses), so the seed and the API agree: more
 * decimals than `scale` are refused even when they are zeros ("7.000" at scale 0), and so is a
 * sign. Throws a RangeError with the parser's code instead of returning it.
 */
export function decimalToMinorUnits(decimal: string, scale: number): bigint {
  if (!Number.isInteger(scale) || scale < 0 || scale > ASSET_SCALE_MAX)
    throw new RangeError(`bad scale ${scale}`);
  const parsed = parseScaled(decimal, scale);
  if (!parsed.ok) {
    throw new RangeError(`${JSON.stringify(decimal)} at scale ${scale}: ${parsed.code}`);
  }
  return parsed.value;
}

function isFindOperator(value: unknown): value is FindOperator<unknown> {
  return typeof value === 'object' && value !== null && '@instanceof' in value;
}

/**
 * TypeORM column transformer for NUMERIC(38,0) and BIGINT columns mapped to `bigint` properties:
 * `@Column({ type: 'numeric', precision: 38, scale: 0, transformer: bigintTransformer })`.
 * Nullable columns map SQL NULL to `null`.
 */
export const bigintTransformer: ValueTransformer = {
  to(value: bigint | number | string | null | undefined | FindOperator<unknown>): unknown {
    if (value === null || value === undefined || isFindOperator(value)) return value;
    return toBigInt(value).toString();
  },
  from(value: string | number | null): bigint | null {
    if (value === null) return null;
    return toBigInt(value);
  },
};
