// validateInternalState of the fast book: every structural invariant, checked from scratch.
// Tests call it after every command; it is O(orders), so production calls it only at restore.
import { assert } from '../assert';
import { BookSide } from './book-side';
import type { OrderBook } from './order-book';
import { StopOrders } from './stop-orders';

export function validateBookState(book: OrderBook): void {
  let resting = 0;
  let maxPriority = 0;
  const checkSide = (side: BookSide): void => {
    side.validateKeys();
    let previousKey = -Infinity;
    for (const level of side.levels) {
      assert(level.key > previousKey, `${side.side} levels out of order at ${level.priceTicks}`);
      previousKey = level.key;
      assert(
        level.key === (side.side === 'BUY' ? level.priceTicks : -level.priceTicks),
        'level key mismatch',
      );
      let count = 0;
      let total = 0;
      let previous = null;
      let previousPriority = 0;
      for (let node = level.head; node !== null; node = node.next) {
        assert(node.prev === previous, `broken prev link at ${node.orderId}`);
        assert(node.level === level, `node ${node.orderId} points at another level`);
        assert(
          node.side === side.side && node.priceTicks === level.priceTicks,
          `node ${node.orderId} on wrong level`,
        );
        assert(
          node.orderType === 'LIMIT' && node.timeInForce === 'GTC',
          `resting ${node.orderId} is not a GTC limit`,
        );
        assert(node.remainingLots > 0, `resting ${node.orderId} has no remaining quantity`);
        assert(
          node.filledLots >= 0 && node.originalLots === node.filledLots + node.remainingLots,
          `quantities of ${node.orderId}`,
        );
        assert(
          node.status === (node.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW'),
          `status of ${node.orderId}`,
        );
        assert(node.prioritySeq > previousPriority, `priority order broken at ${node.orderId}`);
        assert(
          book.orders.get(node.orderId) === node && node.indexed,
          `resting ${node.orderId} missing from the index`,
        );
        previousPriority = node.prioritySeq;
        maxPriority = Math.max(maxPriority, node.prioritySeq);
        previous = node;
        count += 1;
        total += node.remainingLots;
      }
      assert(level.tail === previous, `tail of level ${level.priceTicks}`);
      assert(count > 0 && count === level.orderCount, `order count of level ${level.priceTicks}`);
      assert(total === level.totalLots, `total of level ${level.priceTicks}`);
      resting += count;
    }
  };
  checkSide(book.bids);
  checkSide(book.asks);
  const bestBid = book.bids.best();
  const bestAsk = book.asks.best();
  assert(
    bestBid === undefined || bestAsk === undefined || bestBid.priceTicks < bestAsk.priceTicks,
    'book is crossed',
  );

  const checkStops = (list: typeof book.stops.buys, side: 'BUY' | 'SELL'): void => {
    for (let i = 0; i < list.length; i++) {
      const node = list[i];
      assert(
        node.side === side && node.status === 'PENDING_TRIGGER' && node.level === null,
        `stop ${node.orderId} state`,
      );
      assert(
        book.orders.get(node.orderId) === node && node.indexed,
        `stop ${node.orderId} missing from the index`,
      );
      assert(
        !StopOrders.triggers(side, node.stopPriceTicks, book.lastTradePriceTicks),
        `stop ${node.orderId} should have triggered`,
      );
      if (i > 0) {
        const before = list[i - 1];
        const ordered =
          side === 'BUY'
            ? before.stopPriceTicks >= node.stopPriceTicks
            : before.stopPriceTicks <= node.stopPriceTicks;
        assert(ordered, `stops out of order at ${node.orderId}`);
        if (before.stopPriceTicks === node.stopPriceTicks)
          assert(
            before.prioritySeq > node.prioritySeq,
            `stop ties out of order at ${node.orderId}`,
          );
      }
      maxPriority = Math.max(maxPriority, node.prioritySeq);
    }
  };
  checkStops(book.stops.buys, 'BUY');
  checkStops(book.stops.sells, 'SELL');
  assert(
    book.orders.size === resting + book.stops.size,
    'index holds orders that are neither resting nor pending',
  );
  assert(book.nextPrioritySeq > maxPriority, 'nextPrioritySeq is not above every priority');
  assert(
    book.eventSeq >= 0 && book.tradeSeq >= 0 && book.lastTradePriceTicks >= 0,
    'negative counter',
  );
}
