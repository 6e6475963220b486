import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { DECIMAL_AMOUNT_CONSTRAINT, decimalAmountProblem } from './decimal-amount.decorator';
import { DomainRejection, type FieldError } from './domain-rejection';
import type { FieldErrorCode } from './error-codes';
import { FORBIDDEN_FIELD_CONSTRAINT } from './forbidden-field.decorator';

/** class-validator's constraint name for a property no decorator declares. */
const WHITELIST_CONSTRAINT = 'whitelistValidation';

function fieldCode(constraint: string, value: unknown): FieldErrorCode {
  if (constraint === WHITELIST_CONSTRAINT) return 'UNKNOWN_FIELD';
  if (constraint === FORBIDDEN_FIELD_CONSTRAINT) return 'FORBIDDEN_FIELD';
  if (value === undefined || value === null) return 'REQUIRED';
  if (constraint === DECIMAL_AMOUNT_CONSTRAINT)
    return decimalAmountProblem(value) ?? 'INVALID_VALUE';
  return 'INVALID_VALUE';
}

/** Every refused field, nested ones as dotted paths, one entry per field (its first problem). */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  prefix = '',
): FieldError[] {
  const fields: FieldError[] = [];
  for (const error of errors) {
    const field = error.property
      ? `${prefix}${error.property}`
      : prefix.replace(/\.$/, '') || '(body)';
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length > 0) {
      // Report the most telling constraint: unknown/forbidden first, then the rest in order.
      const [name, message] =
        constraints.find(([n]) => n === WHITELIST_CONSTRAINT || n === FORBIDDEN_FIELD_CONSTRAINT) ??
        constraints[0];
      const code = fieldCode(name, error.value);
      fields.push({ field, code, message: code === 'REQUIRED' ? `${field} is required` : message });
    }
    fields.push(...flattenValidationErrors(error.children ?? [], `${field}.`));
  }
  return fields;
}

/**
 * The 400 for a refused body: FORBIDDEN_FIELD if any field is server-assigned, else
 * UNKNOWN_FIELD if any field is unknown, else VALIDATION_FAILED; `details.fields` lists all.
 */
export function validationRejection(errors: readonly ValidationError[]): DomainRejection {
  const fields = flattenValidationErrors(errors).sort((a, b) => a.field.localeCompare(b.field));
  const has = (code: FieldErrorCode) => fields.some((f) => f.code === code);
  if (has('FORBIDDEN_FIELD')) {
    return new DomainRejection({
      code: 'FORBIDDEN_FIELD',
      message: 'the request sets fields the server assigns; nothing was applied',
      details: { fields },
    });
  }
  if (has('UNKNOWN_FIELD')) {
    return new DomainRejection({
      code: 'UNKNOWN_FIELD',
      message: 'the request has fields this endpoint does not know; nothing was applied',
      details: { fields },
    });
  }
  return new DomainRejection({
    code: 'VALIDATION_FAILED',
    message: 'the request is not valid',
    details: { fields },
  });
}

/**
 * Refuses a body that is not a JSON object (an array, a string, a number) before validating
 * it: class-validator would otherwise report the array's indexes as unknown fields.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (metadata.type === 'body' && value !== undefined && value !== null && !isObject) {
      throw new DomainRejection({
        code: 'VALIDATION_FAILED',
        message: 'the body must be a JSON object',
        details: {
          fields: [{ field: '(body)', code: 'INVALID_VALUE', message: 'must be a JSON object' }],
        },
      });
    }
    return super.transform(value, metadata);
  }
}

/**
 * The global pipe: unknown fields are refused (never silently dropped or applied), values are
 * transformed into the DTO classes, and failures become the error shape above.
 */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationRejection(errors),
  });
}
