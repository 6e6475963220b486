// Proves how class-validator failures become the 400 error: precedence FORBIDDEN_FIELD over
// UNKNOWN_FIELD over VALIDATION_FAILED, one entry per field, sorted, with precise amount codes.
import { IsString } from 'class-validator';
import { IsDecimalAmount, decimalAmountProblem } from './decimal-amount.decorator';
import { ForbiddenField } from './forbidden-field.decorator';
import { createValidationPipe } from './validation';
import { DomainRejection } from './domain-rejection';

class Body {
  @IsString()
  name!: string;

  @IsDecimalAmount()
  amount!: string;

  @ForbiddenField('assigned by the server')
  id?: never;
}

async function refusal(value: unknown): Promise<DomainRejection> {
  try {
    await createValidationPipe().transform(value, { type: 'body', metatype: Body });
  } catch (error) {
    if (error instanceof DomainRejection) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('validation pipe', () => {
  it('passes a valid body through as the DTO class', async () => {
    const value = await createValidationPipe().transform(
      { name: 'x', amount: '1.5' },
      { type: 'body', metatype: Body },
    );
    expect(value).toBeInstanceOf(Body);
  });

  it('prefers FORBIDDEN_FIELD, then UNKNOWN_FIELD, listing every field sorted', async () => {
    const forbidden = await refusal({ name: 'x', amount: '-1', id: 'mine', zzz: 1 });
    expect(forbidden.code).toBe('FORBIDDEN_FIELD');
    expect(forbidden.details?.fields).toEqual([
      expect.objectContaining({ field: 'amount', code: 'NEGATIVE' }),
      expect.objectContaining({ field: 'id', code: 'FORBIDDEN_FIELD' }),
      expect.objectContaining({ field: 'zzz', code: 'UNKNOWN_FIELD' }),
    ]);
    expect((await refusal({ name: 'x', amount: '1', zzz: 1 })).code).toBe('UNKNOWN_FIELD');
    const invalid = await refusal({ amount: 2 });
    expect(invalid.code).toBe('VALIDATION_FAILED');
    expect(invalid.details?.fields).toEqual([
      expect.objectContaining({ field: 'amount', code: 'NOT_A_STRING' }),
      { field: 'name', code: 'REQUIRED', message: 'name is required' },
    ]);
  });

  it('refuses a body that is not a JSON object', async () => {
    for (const body of [[{ name: 'x' }], 'name=x', 42]) {
      expect((await refusal(body)).details?.fields).toEqual([
        expect.objectContaining({ field: '(body)', code: 'INVALID_VALUE' }),
      ]);
    }
  });

  it.each([
    ['12', null],
    ['0.000000000000000001', null],
    ['0.0000000000000000001', 'TOO_MANY_DECIMALS'],
    ['1'.repeat(65), 'VALUE_TOO_LARGE'],
    ['-0.5', 'NEGATIVE'],
    ['1e5', 'EXPONENT_NOTATION'],
    ['nan', 'NOT_A_NUMBER'],
    [0.5, 'NOT_A_STRING'],
  ])('reads amount %p as %p', (value, problem) => {
    expect(decimalAmountProblem(value)).toBe(problem);
  });
});
