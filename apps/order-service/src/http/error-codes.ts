import { EngineErrorCode, FilterErrorCode, ParseErrorCode } from '@app/domain';

// Every `code` order-service puts in an error response, with its HTTP status and what it means.
// Codes are stable: clients branch on them, so a code is never renamed or reused. Swagger
// documents each route's possible codes from this table (see `ApiErrors`).

interface ErrorCodeEntry {
  readonly status: number;
  readonly description: string;
}

function entry(status: number, description: string): ErrorCodeEntry {
  return { status, description };
}

export const ERROR_CODES = {
  VALIDATION_FAILED: entry(
    400,
    'The request is malformed; `details.fields` lists each field, its code and why.',
  ),
  UNKNOWN_FIELD: entry(
    400,
    'The body has a field the endpoint does not know; nothing was applied. See `details.fields`.',
  ),
  FORBIDDEN_FIELD: entry(
    400,
    'The body sets a field the server assigns (an id, a secret); nothing was applied.',
  ),
  MALFORMED_JSON: entry(400, 'The body is not valid JSON.'),
  UNAUTHENTICATED: entry(
    401,
    'No valid credential: `details.reason` says which (IDENTITY_MISSING, IDENTITY_EXPIRED, ADMIN_CREDENTIAL_INVALID, ...).',
  ),
  FORBIDDEN: entry(403, 'The caller is known but may not use this endpoint (`details.reason`).'),
  NOT_FOUND: entry(404, 'No such route.'),
  USER_NOT_FOUND: entry(404, 'No user has this id.'),
  ASSET_NOT_FOUND: entry(404, 'No asset has this code.'),
  API_KEY_NOT_FOUND: entry(404, 'No API key has this key id.'),
  ORDER_NOT_FOUND: entry(404, 'No order of this user has this id.'),
  METHOD_NOT_ALLOWED: entry(405, 'The route exists but not with this method.'),
  CONFLICT: entry(409, 'The request conflicts with the current state.'),
  ORDER_NOT_OPEN: entry(
    409,
    'The order is already filled, cancelled, expired or rejected; `details.order` shows it.',
  ),
  BATCH_TOO_LARGE: entry(400, 'A batch must hold 1 to 1,000 orders; nothing was placed.'),
  USER_NAME_TAKEN: entry(409, 'Another user already has this name.'),
  REFERENCE_CONFLICT: entry(
    409,
    'This reference was already used for a transfer with another user, asset or amount; nothing was written.',
  ),
  API_KEY_LIMIT_REACHED: entry(
    409,
    'The user already has the maximum number of active API keys; revoke one first.',
  ),
  PAYLOAD_TOO_LARGE: entry(413, 'The body exceeds the size bound.'),
  UNSUPPORTED_MEDIA_TYPE: entry(415, 'The body is not application/json.'),
  UNPROCESSABLE: entry(422, 'The request is well-formed but was rejected.'),
  INSUFFICIENT_FUNDS: entry(
    422,
    'The available balance does not cover the amount; nothing was written.',
  ),
  USER_NOT_TRADER: entry(
    422,
    'The user is a SYSTEM account (fees): it holds no keys and makes no transfers.',
  ),
  [FilterErrorCode.PRICE_OFF_TICK]: entry(422, "The price is not a multiple of the market's tick."),
  [FilterErrorCode.QUANTITY_OFF_STEP]: entry(
    422,
    "The quantity is not a multiple of the market's step.",
  ),
  [FilterErrorCode.QUANTITY_BELOW_MIN]: entry(422, "The quantity is below the market's minimum."),
  [FilterErrorCode.QUANTITY_ABOVE_MAX]: entry(422, "The quantity is above the market's maximum."),
  [FilterErrorCode.NOTIONAL_BELOW_MIN]: entry(
    422,
    "Price x quantity (or the quote amount) is below the market's minimum notional.",
  ),
  [EngineErrorCode.UNKNOWN_MARKET]: entry(422, 'No market has this symbol.'),
  [EngineErrorCode.MARKET_HALTED]: entry(422, 'The market is halted; only cancels are accepted.'),
  [EngineErrorCode.INVALID_COMMAND]: entry(
    422,
    'A combination of fields that makes no sense for the order type (a price on a market order, a quote amount on a sell...); `details.field` names it.',
  ),
  DUPLICATE_CLIENT_ORDER_ID: entry(
    422,
    'Batch entry: this clientOrderId appears earlier in the same batch.',
  ),
  TOO_MANY_REQUESTS: entry(429, 'Too many requests.'),
  INTERNAL: entry(500, 'An unexpected error; it was logged with the request id. Nothing to fix.'),
  SERVICE_UNAVAILABLE: entry(503, 'A dependency is unavailable; retry later.'),
} as const satisfies Record<string, ErrorCodeEntry>;

export type ApiErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status of a catalogued code; a code not in the table is a business rejection (422). */
export function statusOf(code: string): number {
  return (ERROR_CODES as Record<string, ErrorCodeEntry>)[code]?.status ?? 422;
}

/**
 * Codes of one field in `details.fields[].code` of a 400: why that field was refused. Amounts
 * use the domain's parse codes (NEGATIVE, TOO_MANY_DECIMALS, EXPONENT_NOTATION, ...).
 */
export const FIELD_ERROR_CODES = {
  UNKNOWN_FIELD: 'The endpoint does not know this field.',
  FORBIDDEN_FIELD: 'The server assigns this field; a client may not set it.',
  REQUIRED: 'The field is missing.',
  INVALID_VALUE: 'The value has the wrong type, format or range (see `message`).',
  NOT_A_STRING: 'Decimal amounts are JSON strings ("1.5"), never numbers, so no precision is lost.',
  [ParseErrorCode.EMPTY]: 'The decimal string is empty.',
  [ParseErrorCode.NEGATIVE]: 'The amount is negative.',
  [ParseErrorCode.ZERO]: 'The amount is zero where a positive amount is required.',
  [ParseErrorCode.NOT_A_NUMBER]: 'Not a plain decimal such as "12" or "0.5".',
  [ParseErrorCode.NOT_FINITE]: 'Infinity is not an amount.',
  [ParseErrorCode.EXPONENT_NOTATION]: 'Exponent notation ("1e-8") is not accepted.',
  [ParseErrorCode.TOO_MANY_DECIMALS]:
    "More decimals than the asset's scale; amounts are never rounded.",
  [ParseErrorCode.VALUE_TOO_LARGE]: 'The amount exceeds the largest representable value.',
} as const;

export type FieldErrorCode = keyof typeof FIELD_ERROR_CODES;
