// Stable rejection codes of the domain, grouped by subsystem. They cross process boundaries as
// strings (HTTP bodies, Kafka results), so a code is never renamed or reused for another meaning.

/** Why a decimal string could not be read. Returned by parsePrice, parseQuantity, parseQuoteAmount. */
export const ParseErrorCode = {
  /** The string is empty or only whitespace. */
  EMPTY: 'EMPTY',
  /** The string has a leading minus sign; amounts, prices and quantities are never negative. */
  NEGATIVE: 'NEGATIVE',
  /** The value is zero where a positive value is required. */
  ZERO: 'ZERO',
  /** The string is not a plain decimal (letters, spaces, "+", "1.", ".5", "NaN", ...). */
  NOT_A_NUMBER: 'NOT_A_NUMBER',
  /** The string spells an infinity ("Infinity", "-inf"). */
  NOT_FINITE: 'NOT_FINITE',
  /** The string uses exponent notation ("1e-8"); only plain decimals are accepted. */
  EXPONENT_NOTATION: 'EXPONENT_NOTATION',
  /** The string has more fractional digits than the scale allows; never rounded. */
  TOO_MANY_DECIMALS: 'TOO_MANY_DECIMALS',
  /** The integer form exceeds the safe bound (PRICE_TICKS_MAX, QUANTITY_LOTS_MAX, AMOUNT_MINOR_MAX). */
  VALUE_TOO_LARGE: 'VALUE_TOO_LARGE',
} as const;

/** Why an order breaks a market filter. Returned by the parsers and by command validation. */
export const FilterErrorCode = {
  /** The price is not a whole multiple of the market's tick size. */
  PRICE_OFF_TICK: 'PRICE_OFF_TICK',
  /** The quantity is not a whole multiple of the market's step (lot) size. */
  QUANTITY_OFF_STEP: 'QUANTITY_OFF_STEP',
  /** The quantity is below the market's minimum quantity. */
  QUANTITY_BELOW_MIN: 'QUANTITY_BELOW_MIN',
  /** The quantity is above the market's maximum quantity. */
  QUANTITY_ABOVE_MAX: 'QUANTITY_ABOVE_MAX',
  /** price x quantity (or a market buy's quote amount) is below the market's minimum notional. */
  NOTIONAL_BELOW_MIN: 'NOTIONAL_BELOW_MIN',
} as const;

/** Why the engine rejected a command. Carried in EngineResult.code with status REJECTED. */
export const EngineErrorCode = {
  /** The command is malformed: a missing or mistyped field, or a combination that makes no sense. */
  INVALID_COMMAND: 'INVALID_COMMAND',
  /** The command names a symbol the engine does not hold. */
  UNKNOWN_MARKET: 'UNKNOWN_MARKET',
  /** The market is halted: new orders and amends are rejected, cancels are accepted. */
  MARKET_HALTED: 'MARKET_HALTED',
  /** A live order (resting or pending stop) of this market already has this orderId. */
  DUPLICATE_ORDER_ID: 'DUPLICATE_ORDER_ID',
  /** No live order with this id belongs to this user in this market (unknown, filled, cancelled). */
  UNKNOWN_ORDER: 'UNKNOWN_ORDER',
  /** The order cannot be amended (a pending stop order); cancel and place a new one. */
  ORDER_NOT_AMENDABLE: 'ORDER_NOT_AMENDABLE',
  /** A post-only order (or amend of one) would take liquidity; it is rejected, never repriced. */
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  /** A fill-or-kill order cannot be filled entirely at once; nothing was done. */
  FOK_NOT_FILLABLE: 'FOK_NOT_FILLABLE',
  /** The stop price is already reached by the last trade price; the stop would fire at once. */
  STOP_WOULD_TRIGGER_IMMEDIATELY: 'STOP_WOULD_TRIGGER_IMMEDIATELY',
  /** The quote cap of a buy, or the lock added by an amend, does not cover what the order may spend. */
  INSUFFICIENT_LOCK: 'INSUFFICIENT_LOCK',
  /** The market already holds ORDERS_PER_BOOK_MAX live orders. */
  BOOK_FULL: 'BOOK_FULL',
} as const;

export type ParseErrorCode = (typeof ParseErrorCode)[keyof typeof ParseErrorCode];
export type FilterErrorCode = (typeof FilterErrorCode)[keyof typeof FilterErrorCode];
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** Every stable rejection code of the domain. */
export type ErrorCode = ParseErrorCode | FilterErrorCode | EngineErrorCode;

/** All codes, for exhaustive tests and for mapping tables at the edge. */
export const ERROR_CODES: readonly ErrorCode[] = [
  ...Object.values(ParseErrorCode),
  ...Object.values(FilterErrorCode),
  ...Object.values(EngineErrorCode),
];

/**
 * Why an accepted order ended EXPIRED rather than FILLED or resting. Reported in
 * OrderUpdate.reason; not a rejection (the order was accepted and may have traded).
 */
export const ExpiryReason = {
  /** Self-trade prevention expired this order (taker or maker, by the taker's STP mode). */
  SELF_TRADE_PREVENTION: 'SELF_TRADE_PREVENTION',
  /** IOC or market order: the part the book could not fill at once expired. */
  UNFILLED_REMAINDER: 'UNFILLED_REMAINDER',
  /** A market buy by base quantity stopped because its quote cap could not pay for one more lot. */
  QUOTE_CAP_REACHED: 'QUOTE_CAP_REACHED',
  /** A triggered stop-limit FOK order could not be filled entirely. */
  FOK_NOT_FILLABLE: 'FOK_NOT_FILLABLE',
  /** A triggered stop-limit post-only order would have taken liquidity. */
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
} as const;

export type ExpiryReason = (typeof ExpiryReason)[keyof typeof ExpiryReason];

/** Result of a parser: the value, or a stable code saying why there is none. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode };
