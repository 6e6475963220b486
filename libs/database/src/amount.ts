import type { FindOperator, ValueTransformer } from 'typeorm';

// Money columns are NUMERIC(38,0) in minor units and tick/lot columns are BIGINT; node-postgres
// returns both as strings so that no digit is lost. These helpers turn them into exact integers.

const INTEGER_PATTERN = /^-?\d+$/;
const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?$/;

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
 * decimals ("0.5" at scale 8 is 50 000 000n). Throws if the string has more decimals than
 * `scale`, because dropping them would create or destroy money.
 */
export function decimalToMinorUnits(decimal: string, scale: number): bigint {
  if (!Number.isInteger(scale) || scale < 0 || scale > 18)
    throw new RangeError(`bad scale ${scale}`);
  const match = DECIMAL_PATTERN.exec(decimal);
  if (match === null) throw new RangeError(`not a decimal: ${JSON.stringify(decimal)}`);
  const [, sign, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) {
    throw new RangeError(`${decimal} has more than ${scale} decimals`);
  }
  const magnitude = BigInt(whole + significant.padEnd(scale, '0'));
  return sign === '-' ? -magnitude : magnitude;
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
