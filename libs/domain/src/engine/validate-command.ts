// Static validation of commands: everything that can be decided from the command and the market
// alone, before the book is consulted. Order-service runs the same checks in TX1 so that a
// command it sends is rejected by the engine only for reasons that depend on the book.
import { AMOUNT_MINOR_MAX, ID_LENGTH_MAX, PRICE_TICKS_MAX, QUANTITY_LOTS_MAX } from '../constants';
import { EngineErrorCode, ErrorCode, FilterErrorCode, ParseErrorCode } from '../error-codes';
import { baseMinor, bigintOf, notionalMinor } from '../money/amounts';
import { Market } from '../money/market';
import { AmendOrderCommand, EngineCommand, PlaceOrderCommand } from './commands';

const INVALID = EngineErrorCode.INVALID_COMMAND;
// Plain comparisons rather than Set lookups: this runs on every command.
const isSide = (v: unknown): boolean => v === 'BUY' || v === 'SELL';
const isOrderType = (v: unknown): boolean => v === 'LIMIT' || v === 'MARKET';
const isTimeInForce = (v: unknown): boolean => v === 'GTC' || v === 'IOC' || v === 'FOK';
const isStpMode = (v: unknown): boolean =>
  v === 'NONE' || v === 'EXPIRE_TAKER' || v === 'EXPIRE_MAKER' || v === 'EXPIRE_BOTH';
const isCommandType = (v: unknown): boolean =>
  v === 'place' || v === 'cancel' || v === 'amend' || v === 'cancelAll' || v === 'setMarketStatus';

/** True for a non-empty string of at most ID_LENGTH_MAX characters. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= ID_LENGTH_MAX;
}

function isPositiveInteger(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= max;
}

function isOptionalAmount(value: unknown): boolean {
  return value === undefined || typeof value === 'bigint';
}

/**
 * Checks the fields every command carries (commandId, userId, symbol, timestampMs, type).
 * Returns INVALID_COMMAND or undefined.
 */
export function validateCommandBase(command: EngineCommand): ErrorCode | undefined {
  if (typeof command !== 'object' || command === null) return INVALID;
  if (!isValidId(command.commandId) || !isValidId(command.userId) || !isValidId(command.symbol)) {
    return INVALID;
  }
  if (
    typeof command.timestampMs !== 'number' ||
    !Number.isSafeInteger(command.timestampMs) ||
    command.timestampMs < 0
  ) {
    return INVALID;
  }
  return isCommandType(command.type) ? undefined : INVALID;
}

/** Checks quantity filters on a lot count that is already a safe non-negative integer. */
function checkQuantity(market: Market, qtyLots: unknown): ErrorCode | undefined {
  if (typeof qtyLots !== 'number' || !Number.isSafeInteger(qtyLots) || qtyLots < 0) return INVALID;
  if (qtyLots < market.minQtyLots) return FilterErrorCode.QUANTITY_BELOW_MIN;
  if (qtyLots > market.maxQtyLots) return FilterErrorCode.QUANTITY_ABOVE_MAX;
  return undefined;
}

/**
 * Everything about a place command that does not depend on the book: field shapes, the market's
 * quantity and notional filters, and that a buy's quote cap covers what it may spend.
 */
export function validatePlaceCommand(
  market: Market,
  cmd: PlaceOrderCommand,
): ErrorCode | undefined {
  if (!isValidId(cmd.orderId)) return INVALID;
  if (cmd.clientOrderId !== undefined && !isValidId(cmd.clientOrderId)) return INVALID;
  if (!isSide(cmd.side) || !isOrderType(cmd.orderType)) return INVALID;
  if (cmd.timeInForce !== undefined && !isTimeInForce(cmd.timeInForce)) return INVALID;
  if (cmd.stpMode !== undefined && !isStpMode(cmd.stpMode)) return INVALID;
  if (cmd.postOnly !== undefined && typeof cmd.postOnly !== 'boolean') return INVALID;
  if (cmd.stopPriceTicks !== undefined && !isPositiveInteger(cmd.stopPriceTicks, PRICE_TICKS_MAX))
    return INVALID;
  if (!isOptionalAmount(cmd.quoteAmountMinor) || !isOptionalAmount(cmd.quoteCapMinor))
    return INVALID;
  if (cmd.quoteCapMinor !== undefined) {
    if (cmd.side !== 'BUY' || cmd.quoteCapMinor <= 0n) return INVALID;
    if (cmd.quoteCapMinor > AMOUNT_MINOR_MAX) return ParseErrorCode.VALUE_TOO_LARGE;
  }
  return cmd.orderType === 'LIMIT' ? validateLimit(market, cmd) : validateMarketOrder(market, cmd);
}

function validateLimit(market: Market, cmd: PlaceOrderCommand): ErrorCode | undefined {
  if (cmd.quoteAmountMinor !== undefined) return INVALID;
  if (postOnlyWithoutGtc(cmd)) return INVALID;
  if (!isPositiveInteger(cmd.priceTicks, PRICE_TICKS_MAX)) return INVALID;
  const quantityCode = checkQuantity(market, cmd.qtyLots);
  if (quantityCode !== undefined) return quantityCode;
  const qtyLots = cmd.qtyLots as number;
  // Number arithmetic while exact (the common case), then compared as a bigint: comparing a
  // number with a bigint calls into V8's runtime, comparing two bigints does not.
  const notionalNumber = cmd.priceTicks * qtyLots * market.quoteMinorPerTickLot;
  const notional =
    notionalNumber <= Number.MAX_SAFE_INTEGER
      ? bigintOf(notionalNumber)
      : notionalMinor(market, cmd.priceTicks, qtyLots);
  if (notional < market.minNotionalMinor) return FilterErrorCode.NOTIONAL_BELOW_MIN;
  if (notional > AMOUNT_MINOR_MAX) return ParseErrorCode.VALUE_TOO_LARGE;
  if (cmd.side === 'SELL' && qtyLots * market.baseMinorPerLot > Number.MAX_SAFE_INTEGER) {
    if (baseMinor(market, qtyLots) > AMOUNT_MINOR_MAX) return ParseErrorCode.VALUE_TOO_LARGE;
  }
  if (cmd.quoteCapMinor !== undefined && cmd.quoteCapMinor < notional) {
    return EngineErrorCode.INSUFFICIENT_LOCK;
  }
  return undefined;
}

/** Post-only means "rest or nothing", which only a GTC order can do. */
function postOnlyWithoutGtc(cmd: PlaceOrderCommand): boolean {
  return cmd.postOnly === true && cmd.timeInForce !== undefined && cmd.timeInForce !== 'GTC';
}

function validateMarketOrder(market: Market, cmd: PlaceOrderCommand): ErrorCode | undefined {
  if (cmd.timeInForce !== undefined && cmd.timeInForce !== 'IOC') return INVALID;
  if (cmd.postOnly === true || cmd.priceTicks !== undefined) return INVALID;
  if (cmd.quoteAmountMinor !== undefined) {
    if (cmd.side !== 'BUY' || cmd.qtyLots !== undefined || cmd.quoteCapMinor !== undefined)
      return INVALID;
    if (cmd.quoteAmountMinor <= 0n) return INVALID;
    if (cmd.quoteAmountMinor > AMOUNT_MINOR_MAX) return ParseErrorCode.VALUE_TOO_LARGE;
    if (cmd.quoteAmountMinor < market.minNotionalMinor) return FilterErrorCode.NOTIONAL_BELOW_MIN;
    return undefined;
  }
  const quantityCode = checkQuantity(market, cmd.qtyLots);
  if (quantityCode !== undefined) return quantityCode;
  if (cmd.side === 'BUY' && cmd.quoteCapMinor === undefined) return INVALID;
  const qtyLots = cmd.qtyLots as number;
  if (cmd.side === 'SELL' && qtyLots * market.baseMinorPerLot > Number.MAX_SAFE_INTEGER) {
    if (baseMinor(market, qtyLots) > AMOUNT_MINOR_MAX) return ParseErrorCode.VALUE_TOO_LARGE;
  }
  return undefined;
}

/** Field shapes of an amend; the book decides the rest (live order, lock, post-only). */
export function validateAmendCommand(
  market: Market,
  cmd: AmendOrderCommand,
): ErrorCode | undefined {
  if (!isValidId(cmd.orderId)) return INVALID;
  if (cmd.priceTicks === undefined && cmd.qtyLots === undefined) return INVALID;
  if (cmd.priceTicks !== undefined && !isPositiveInteger(cmd.priceTicks, PRICE_TICKS_MAX))
    return INVALID;
  if (cmd.qtyLots !== undefined) {
    if (!isPositiveInteger(cmd.qtyLots, QUANTITY_LOTS_MAX)) return INVALID;
    if (cmd.qtyLots > market.maxQtyLots) return FilterErrorCode.QUANTITY_ABOVE_MAX;
  }
  if (!isOptionalAmount(cmd.lockAddMinor)) return INVALID;
  if (
    cmd.lockAddMinor !== undefined &&
    (cmd.lockAddMinor < 0n || cmd.lockAddMinor > AMOUNT_MINOR_MAX)
  )
    return INVALID;
  return undefined;
}

/** Static validation of any command against its market. */
export function validateCommand(market: Market, cmd: EngineCommand): ErrorCode | undefined {
  switch (cmd.type) {
    case 'place':
      return validatePlaceCommand(market, cmd);
    case 'amend':
      return validateAmendCommand(market, cmd);
    case 'cancel':
      return isValidId(cmd.orderId) ? undefined : INVALID;
    case 'cancelAll':
      return undefined;
    case 'setMarketStatus':
      return cmd.status === 'TRADING' || cmd.status === 'HALTED' ? undefined : INVALID;
  }
}
