// Proves each per-command check of the fast book can fail: every check passes on a consistent
// order, trade, level total and top of book built by hand, and names the fault on each broken one.
import { Trade } from '../engine/results';
import {
  levelTotalProblem,
  topOfBookProblem,
  touchedOrderProblem,
  tradeProblem,
} from './command-invariants';
import { OrderNode } from './order-node';
import { PriceLevel } from './price-level';

function levelOf(priceTicks: number, ...remaining: number[]): PriceLevel {
  const level = new PriceLevel();
  level.priceTicks = priceTicks;
  for (const lots of remaining) {
    const node = new OrderNode();
    node.remainingLots = lots;
    level.append(node);
  }
  return level;
}

/** A resting order of 10 lots, 4 of them filled, alone on its level. */
function resting(): OrderNode {
  const level = levelOf(100);
  const node = new OrderNode();
  node.orderId = 'o1';
  node.status = 'PARTIALLY_FILLED';
  node.originalLots = 10;
  node.filledLots = 4;
  node.remainingLots = 6;
  node.indexed = true;
  level.append(node);
  return node;
}

/** An order that left the book filled. */
function filled(): OrderNode {
  const node = new OrderNode();
  node.orderId = 'o2';
  node.status = 'FILLED';
  node.originalLots = 10;
  node.filledLots = 10;
  node.remainingLots = 0;
  return node;
}

function trade(change: Partial<Trade> = {}): Trade {
  return {
    tradeSeq: 7,
    priceTicks: 100,
    qtyLots: 3,
    quoteMinor: 300n,
    baseMinor: 3n,
    makerOrderId: 'm',
    takerOrderId: 't',
    makerUserId: 'u1',
    takerUserId: 'u2',
    takerSide: 'BUY',
    makerFeeMinor: 0n,
    makerFeeAsset: 'Q',
    takerFeeMinor: 0n,
    takerFeeAsset: 'B',
    ...change,
  };
}

describe('touchedOrderProblem', () => {
  it('passes resting, pending, filled, cancelled and expired orders that are consistent', () => {
    expect(touchedOrderProblem(resting())).toBeUndefined();
    expect(touchedOrderProblem(filled())).toBeUndefined();
    const pending = new OrderNode();
    pending.status = 'PENDING_TRIGGER';
    pending.indexed = true;
    expect(touchedOrderProblem(pending)).toBeUndefined();
    const expired = filled();
    expired.status = 'EXPIRED';
    expired.filledLots = 4;
    expired.remainingLots = 6;
    expect(touchedOrderProblem(expired)).toBeUndefined();
    const newOrder = resting();
    newOrder.status = 'NEW';
    newOrder.filledLots = 0;
    newOrder.originalLots = 6;
    expect(touchedOrderProblem(newOrder)).toBeUndefined();
  });

  it('fails a negative or NaN remaining quantity', () => {
    const node = filled();
    node.remainingLots = -1;
    node.filledLots = 11;
    expect(touchedOrderProblem(node)).toBe('order o2 has remaining quantity -1');
    node.remainingLots = NaN;
    expect(touchedOrderProblem(node)).toBe('order o2 has remaining quantity NaN');
  });

  it('fails a negative filled quantity', () => {
    const node = resting();
    node.filledLots = -1;
    node.originalLots = 5;
    expect(touchedOrderProblem(node)).toBe('order o1 has filled quantity -1');
  });

  it('fails filled + remaining that is not the original quantity', () => {
    const node = resting();
    node.filledLots = 5;
    expect(touchedOrderProblem(node)).toBe('order o1: filled 5 + remaining 6 is not original 10');
  });

  it('fails a live order on no level, with nothing remaining, or beyond its level total', () => {
    const unlinked = resting();
    unlinked.level = null;
    expect(touchedOrderProblem(unlinked)).toBe(
      'order o1 is PARTIALLY_FILLED but rests on no level',
    );
    const empty = resting();
    empty.remainingLots = 0;
    empty.filledLots = 10;
    expect(touchedOrderProblem(empty)).toBe('order o1 rests with nothing remaining');
    const beyond = resting();
    (beyond.level as PriceLevel).totalLots = 5;
    expect(touchedOrderProblem(beyond)).toBe('order o1 rests 6 lots on a level of 5');
  });

  it('fails a status that disagrees with the filled quantity', () => {
    const node = resting();
    node.status = 'NEW';
    expect(touchedOrderProblem(node)).toBe('order o1 is NEW with 4 lots filled');
    const untouched = resting();
    untouched.filledLots = 0;
    untouched.originalLots = 6;
    expect(touchedOrderProblem(untouched)).toBe('order o1 is PARTIALLY_FILLED with 0 lots filled');
  });

  it('fails a pending stop on a level', () => {
    const node = resting();
    node.status = 'PENDING_TRIGGER';
    expect(touchedOrderProblem(node)).toBe('pending stop o1 rests on a level');
  });

  it('fails a finished order still on a level or in the index, and a FILLED order with lots left', () => {
    const onLevel = resting();
    onLevel.status = 'CANCELLED';
    expect(touchedOrderProblem(onLevel)).toBe('order o1 is CANCELLED but is still in the book');
    const indexed = filled();
    indexed.indexed = true;
    expect(touchedOrderProblem(indexed)).toBe('order o2 is FILLED but is still in the book');
    const left = filled();
    left.filledLots = 9;
    left.remainingLots = 1;
    expect(touchedOrderProblem(left)).toBe('order o2 is FILLED with 1 lots remaining');
  });
});

describe('tradeProblem', () => {
  it('passes a positive quantity at a positive price', () => {
    expect(tradeProblem(trade())).toBeUndefined();
  });

  it('fails a zero, negative or NaN quantity', () => {
    expect(tradeProblem(trade({ qtyLots: 0 }))).toBe('trade 7 (maker m) has quantity 0');
    expect(tradeProblem(trade({ qtyLots: -2 }))).toBe('trade 7 (maker m) has quantity -2');
    expect(tradeProblem(trade({ qtyLots: NaN }))).toBe('trade 7 (maker m) has quantity NaN');
  });

  it('fails a price that is not positive', () => {
    expect(tradeProblem(trade({ priceTicks: 0 }))).toBe('trade 7 (maker m) has price 0');
  });
});

describe('levelTotalProblem', () => {
  it('passes a positive total and a level emptied to zero', () => {
    expect(levelTotalProblem('BUY', 100, 5)).toBeUndefined();
    expect(levelTotalProblem('SELL', 100, 0)).toBeUndefined();
  });

  it('fails a negative or NaN total', () => {
    expect(levelTotalProblem('SELL', 101, -3)).toBe('SELL level 101 has total -3');
    expect(levelTotalProblem('BUY', 99, NaN)).toBe('BUY level 99 has total NaN');
  });
});

describe('topOfBookProblem', () => {
  it('passes an empty book, one side only, and a spread', () => {
    expect(topOfBookProblem(undefined, undefined)).toBeUndefined();
    expect(topOfBookProblem(levelOf(100, 1), undefined)).toBeUndefined();
    expect(topOfBookProblem(undefined, levelOf(100, 1))).toBeUndefined();
    expect(topOfBookProblem(levelOf(99, 1), levelOf(100, 2))).toBeUndefined();
  });

  it('fails a crossed or locked book', () => {
    expect(topOfBookProblem(levelOf(101, 1), levelOf(100, 1))).toBe(
      'book is crossed: best bid 101, best ask 100',
    );
    expect(topOfBookProblem(levelOf(100, 1), levelOf(100, 1))).toBe(
      'book is crossed: best bid 100, best ask 100',
    );
  });

  it('fails an empty best level on either side', () => {
    expect(topOfBookProblem(levelOf(99), levelOf(100, 1))).toBe(
      'best bid level 99 is empty (0 orders, 0 lots)',
    );
    const drained = levelOf(100, 2);
    drained.totalLots = 0;
    expect(topOfBookProblem(levelOf(99, 1), drained)).toBe(
      'best ask level 100 is empty (1 orders, 0 lots)',
    );
  });
});
