// Builders for results that do not depend on how a book stores its orders: rejections of
// commands that never reached the book's logic, and duplicates. Both books use them, so the
// shape of these results is defined once.
import { ErrorCode } from '../error-codes';
import { lockForOrder } from '../money/amounts';
import { Market } from '../money/market';
import { EngineCommand, PlaceOrderCommand } from './commands';
import { BookDelta, EngineResult, OrderUpdate, Trade } from './results';

export const NO_TRADES: readonly Trade[] = Object.freeze([]);
export const NO_DELTAS: readonly BookDelta[] = Object.freeze([]);
export const NO_UPDATES: readonly OrderUpdate[] = Object.freeze([]);

/** The REJECTED order update of a place command: nothing traded, its whole lock released. */
export function rejectedPlaceUpdate(
  market: Market | undefined,
  cmd: PlaceOrderCommand,
): OrderUpdate {
  return {
    orderId: String(cmd.orderId),
    clientOrderId: cmd.clientOrderId,
    userId: cmd.userId,
    side: cmd.side,
    orderType: cmd.orderType,
    status: 'REJECTED',
    reason: undefined,
    priceTicks: cmd.priceTicks,
    stopPriceTicks: cmd.stopPriceTicks,
    originalLots: 0,
    filledLots: 0,
    remainingLots: 0,
    quoteFilledMinor: 0n,
    lockAsset:
      market === undefined ? '' : cmd.side === 'SELL' ? market.baseAsset : market.quoteAsset,
    lockRemainingMinor: 0n,
    releasedMinor: market === undefined ? 0n : tryLockForOrder(market, cmd),
    prioritySeq: 0,
  };
}

/** The lock order-service took for a place command, or 0n if the command is too broken to say. */
function tryLockForOrder(market: Market, cmd: PlaceOrderCommand): bigint {
  const isAmount = (value: unknown): boolean => value === undefined || typeof value === 'bigint';
  const isLots = (value: unknown): boolean =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!isAmount(cmd.quoteAmountMinor) || !isAmount(cmd.quoteCapMinor)) return 0n;
  if (cmd.side === 'SELL') return isLots(cmd.qtyLots) ? lockForOrder(market, cmd).amountMinor : 0n;
  if (cmd.side !== 'BUY') return 0n;
  if (cmd.orderType === 'LIMIT') {
    if (cmd.quoteCapMinor !== undefined) return cmd.quoteCapMinor;
    return isLots(cmd.priceTicks) && isLots(cmd.qtyLots)
      ? lockForOrder(market, cmd).amountMinor
      : 0n;
  }
  return cmd.quoteAmountMinor ?? cmd.quoteCapMinor ?? 0n;
}

/** A result with no trades, deltas or affected orders. */
export function bareResult(
  cmd: EngineCommand,
  eventSeq: number,
  status: EngineResult['status'],
  code: ErrorCode | undefined,
  order: OrderUpdate | undefined,
): EngineResult {
  return {
    commandId: cmd.commandId,
    commandType: cmd.type,
    symbol: cmd.symbol,
    eventSeq,
    timestampMs: cmd.timestampMs,
    status,
    code,
    order,
    trades: NO_TRADES,
    bookDeltas: NO_DELTAS,
    ordersAffected: NO_UPDATES,
    marketStatus: undefined,
  };
}

/**
 * REJECTED result for a command refused before the book's logic. A rejected place carries its
 * order as REJECTED with the whole lock released; other rejections carry no order.
 */
export function rejectedResult(
  market: Market | undefined,
  cmd: EngineCommand,
  eventSeq: number,
  code: ErrorCode,
): EngineResult {
  const order = cmd.type === 'place' ? rejectedPlaceUpdate(market, cmd) : undefined;
  return bareResult(cmd, eventSeq, 'REJECTED', code, order);
}
