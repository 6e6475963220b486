import { ASSET_SCALE_MAX, DECIMAL_TEXT_LENGTH_MAX, parsePositiveScaled } from '@app/domain';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import type { FieldErrorCode } from './error-codes';

/** Constraint name the validation pipe recognises to report the precise field code. */
export const DECIMAL_AMOUNT_CONSTRAINT = 'decimalAmount';

/** Shape of a positive decimal amount, for Swagger (`pattern`). */
export const DECIMAL_AMOUNT_PATTERN = '^\\d+(\\.\\d+)?$';

/**
 * Why `value` is not a positive plain decimal string, or null if it is. Uses the domain's
 * parser at the largest asset scale; the handler re-parses at the asset's own scale.
 */
export function decimalAmountProblem(value: unknown): FieldErrorCode | null {
  if (typeof value !== 'string') return 'NOT_A_STRING';
  if (value.length > DECIMAL_TEXT_LENGTH_MAX) return 'VALUE_TOO_LARGE';
  const parsed = parsePositiveScaled(value, ASSET_SCALE_MAX);
  return parsed.ok ? null : (parsed.code as FieldErrorCode);
}

/**
 * A positive amount written as a JSON string of a plain decimal ("12", "0.5"). Numbers,
 * exponents, signs, NaN and Infinity are refused, so no amount ever passes through a float.
 */
export function IsDecimalAmount(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: DECIMAL_AMOUNT_CONSTRAINT,
      validator: {
        validate: (value) => decimalAmountProblem(value) === null,
        defaultMessage: (args) =>
          `${args?.property} must be a positive decimal string such as "0.5" (${decimalAmountProblem(args?.value)})`,
      },
    },
    options,
  );
}
