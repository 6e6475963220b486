import { ParseErrorCode, type ErrorCode } from '@app/domain';
import { FIELD_ERROR_CODES, type FieldErrorCode } from '../http/error-codes';
import { reject, rejectFields, type Rejection } from '../http/domain-rejection';

const PARSE_CODES: ReadonlySet<string> = new Set(Object.values(ParseErrorCode));

/**
 * A domain code as an API rejection: a malformed decimal is a 400 naming the field; a market
 * filter or engine rule (off tick, below minimum, halted...) is a 422 with the domain's code.
 */
export function orderRejection(code: ErrorCode, field: string | undefined): Rejection {
  if (PARSE_CODES.has(code) && field !== undefined) {
    const fieldCode = code as FieldErrorCode;
    return rejectFields([{ field, code: fieldCode, message: FIELD_ERROR_CODES[fieldCode] }]);
  }
  return reject(
    code,
    `the order was rejected: ${code}`,
    field === undefined ? undefined : { field },
  );
}

export const unknownMarket = (symbol: string): Rejection =>
  reject('UNKNOWN_MARKET', `no market has the symbol ${JSON.stringify(symbol)}`, { symbol });

export const insufficientFunds = (asset: string): Rejection =>
  reject('INSUFFICIENT_FUNDS', `the available ${asset} balance does not cover the order's lock`, {
    asset,
  });
