// What the fast book asserts after every command, in production, over only what the command
// touched: each order it changed, each trade it made, each price level it changed and the top of
// the book. O(touched) and allocation-free unless something is broken: each check returns
// undefined, or a sentence saying what is wrong, which the book turns into an
// EngineInvariantError before the command's result exists. validateBookState checks the whole
// book from scratch; tests call it after every command, production only at restore.
import { Side } from '../engine/commands';
import { Trade } from '../engine/results';
import { OrderNode } from './order-node';
import { PriceLevel } from './price-level';

/**
 * An order the command changed (its taker, a maker, a cancelled or expired order, a triggered
 * stop): no negative quantity, filled + remaining = original, and where it is now agrees with
 * its status (a live order rests on a level that holds at least its remaining quantity; a pending
 * stop rests on none; a finished order has left the book and its index).
 */
export function touchedOrderProblem(node: OrderNode): string | undefined {
  const remaining = node.remainingLots;
  const filled = node.filledLots;
  // Written so that NaN fails too.
  if (!(remaining >= 0)) return `order ${node.orderId} has remaining quantity ${remaining}`;
  if (!(filled >= 0)) return `order ${node.orderId} has filled quantity ${filled}`;
  if (filled + remaining !== node.originalLots)
    return `order ${node.orderId}: filled ${filled} + remaining ${remaining} is not original ${node.originalLots}`;
  const status = node.status;
  const level = node.level;
  switch (status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
      if (level === null) return `order ${node.orderId} is ${status} but rests on no level`;
      if (remaining === 0) return `order ${node.orderId} rests with nothing remaining`;
      if (!(level.totalLots >= remaining))
        return `order ${node.orderId} rests ${remaining} lots on a level of ${level.totalLots}`;
      if (filled > 0 !== (status === 'PARTIALLY_FILLED'))
        return `order ${node.orderId} is ${status} with ${filled} lots filled`;
      return undefined;
    case 'PENDING_TRIGGER':
      if (level !== null) return `pending stop ${node.orderId} rests on a level`;
      return undefined;
    default:
      if (level !== null || node.indexed)
        return `order ${node.orderId} is ${status} but is still in the book`;
      if (status === 'FILLED' && remaining !== 0)
        return `order ${node.orderId} is FILLED with ${remaining} lots remaining`;
      return undefined;
  }
}

/** A trade the command made: a positive quantity at a positive price. */
export function tradeProblem(trade: Trade): string | undefined {
  if (!(trade.qtyLots > 0))
    return `trade ${trade.tradeSeq} (maker ${trade.makerOrderId}) has quantity ${trade.qtyLots}`;
  if (!(trade.priceTicks > 0))
    return `trade ${trade.tradeSeq} (maker ${trade.makerOrderId}) has price ${trade.priceTicks}`;
  return undefined;
}

/** A price level the command changed, by the total it reports: never negative (0 = gone). */
export function levelTotalProblem(
  side: Side,
  priceTicks: number,
  totalLots: number,
): string | undefined {
  if (!(totalLots >= 0)) return `${side} level ${priceTicks} has total ${totalLots}`;
  return undefined;
}

/**
 * The top of the book after the command: not crossed (best bid below best ask), and each best
 * level holds an order and a positive total, so the crossing test compares real prices.
 */
export function topOfBookProblem(
  bestBid: PriceLevel | undefined,
  bestAsk: PriceLevel | undefined,
): string | undefined {
  if (bestBid !== undefined && (bestBid.orderCount <= 0 || !(bestBid.totalLots > 0)))
    return `best bid level ${bestBid.priceTicks} is empty (${bestBid.orderCount} orders, ${bestBid.totalLots} lots)`;
  if (bestAsk !== undefined && (bestAsk.orderCount <= 0 || !(bestAsk.totalLots > 0)))
    return `best ask level ${bestAsk.priceTicks} is empty (${bestAsk.orderCount} orders, ${bestAsk.totalLots} lots)`;
  if (bestBid !== undefined && bestAsk !== undefined && !(bestBid.priceTicks < bestAsk.priceTicks))
    return `book is crossed: best bid ${bestBid.priceTicks}, best ask ${bestAsk.priceTicks}`;
  return undefined;
}
