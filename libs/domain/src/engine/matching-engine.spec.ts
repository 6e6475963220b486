// Proves each order semantic and each engine rejection code on small hand-built books, checking
// results field by field and validateInternalState after every command.
import { EngineErrorCode, ExpiryReason } from '../error-codes';
import { OrderBook } from '../book/order-book';
import { ReferenceBook } from '../reference/reference-book';
import { amend, cancel, cancelAll, limit, market, setStatus, UNIT } from '../testing/fixtures';
import { EngineCommand } from './commands';
import { BookFactory } from './matching-book';
import { MatchingEngine } from './matching-engine';
import { EngineResult } from './results';

const factories: [string, BookFactory][] = [
  ['OrderBook', (m, s) => new OrderBook(m, s)],
  ['ReferenceBook', (m, s) => new ReferenceBook(m, s)],
];

describe.each(factories)('MatchingEngine with %s', (_name, bookFactory) => {
  let engine: MatchingEngine;
  const run = (command: EngineCommand): EngineResult => {
    const result = engine.apply(command);
    engine.validateInternalState();
    return result;
  };
  const depth = () => {
    const snapshot = engine.book(UNIT.symbol)!.snapshot();
    return {
      bids: snapshot.bids.map((o) => [o.orderId, o.priceTicks, o.remainingLots]),
      asks: snapshot.asks.map((o) => [o.orderId, o.priceTicks, o.remainingLots]),
    };
  };

  beforeEach(() => {
    engine = new MatchingEngine({ markets: [UNIT], bookFactory });
  });

  describe('limit orders', () => {
    it('rests a GTC order that does not cross, locking exactly price x quantity', () => {
      const result = run(limit('b1', 'alice', 'BUY', 100, 5));
      expect(result).toMatchObject({
        status: 'ACCEPTED',
        eventSeq: 1,
        trades: [],
        bookDeltas: [{ side: 'BUY', priceTicks: 100, qtyLots: 5 }],
      });
      expect(result.order).toMatchObject({
        status: 'NEW',
        remainingLots: 5,
        lockAsset: 'Q',
        lockRemainingMinor: 500n,
        releasedMinor: 0n,
        prioritySeq: 1,
      });
    });

    it('fills at the maker price, charges fees in the received asset and releases the price improvement', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1000));
      const result = run(limit('b1', 'alice', 'BUY', 105, 1000));
      expect(result.status).toBe('FILLED');
      expect(result.trades).toEqual([
        {
          tradeSeq: 1,
          priceTicks: 100,
          qtyLots: 1000,
          quoteMinor: 100_000n,
          baseMinor: 1000n,
          makerOrderId: 's1',
          takerOrderId: 'b1',
          makerUserId: 'bob',
          takerUserId: 'alice',
          takerSide: 'BUY',
          makerFeeMinor: 100n, // seller receives 100,000 Q at 10 bps
          makerFeeAsset: 'Q',
          takerFeeMinor: 2n, // buyer receives 1,000 B at 20 bps
          takerFeeAsset: 'B',
        },
      ]);
      expect(result.order).toMatchObject({
        status: 'FILLED',
        filledLots: 1000,
        remainingLots: 0,
        quoteFilledMinor: 100_000n,
        releasedMinor: 5_000n,
        lockRemainingMinor: 0n,
      });
      expect(result.ordersAffected).toMatchObject([
        { orderId: 's1', status: 'FILLED', releasedMinor: 0n },
      ]);
      expect(result.bookDeltas).toEqual([{ side: 'SELL', priceTicks: 100, qtyLots: 0 }]);
    });

    it('rounds fees up by less than one minor unit', () => {
      run(limit('s1', 'bob', 'SELL', 3, 1));
      const result = run(limit('b1', 'alice', 'BUY', 3, 1));
      expect(result.trades[0]).toMatchObject({
        quoteMinor: 3n,
        makerFeeMinor: 1n,
        takerFeeMinor: 1n,
      });
    });

    it('sweeps levels in price then time priority and rests the remainder', () => {
      run(limit('s1', 'bob', 'SELL', 101, 2));
      run(limit('s2', 'carol', 'SELL', 100, 3));
      run(limit('s3', 'dave', 'SELL', 100, 4));
      const result = run(limit('b1', 'alice', 'BUY', 101, 12));
      expect(result.status).toBe('PARTIALLY_FILLED');
      expect(
        result.trades.map((t) => [t.makerOrderId, t.priceTicks, t.qtyLots, t.tradeSeq]),
      ).toEqual([
        ['s2', 100, 3, 1],
        ['s3', 100, 4, 2],
        ['s1', 101, 2, 3],
      ]);
      expect(result.bookDeltas).toEqual([
        { side: 'SELL', priceTicks: 100, qtyLots: 0 },
        { side: 'SELL', priceTicks: 101, qtyLots: 0 },
        { side: 'BUY', priceTicks: 101, qtyLots: 3 },
      ]);
      expect(result.order).toMatchObject({
        status: 'PARTIALLY_FILLED',
        filledLots: 9,
        remainingLots: 3,
        lockRemainingMinor: 303n,
        releasedMinor: 7n,
      });
      expect(depth()).toEqual({ bids: [['b1', 101, 3]], asks: [] });
    });

    it('expires the remainder of an IOC order', () => {
      run(limit('s1', 'bob', 'SELL', 100, 3));
      const result = run(limit('b1', 'alice', 'BUY', 100, 5, { timeInForce: 'IOC' }));
      expect(result.status).toBe('EXPIRED');
      expect(result.order).toMatchObject({
        status: 'EXPIRED',
        reason: ExpiryReason.UNFILLED_REMAINDER,
        filledLots: 3,
        remainingLots: 2,
        releasedMinor: 200n,
      });
      expect(depth()).toEqual({ bids: [], asks: [] });
    });

    it('fills a FOK order entirely or rejects it without touching the book', () => {
      run(limit('s1', 'bob', 'SELL', 100, 3));
      run(limit('s2', 'bob', 'SELL', 102, 3));
      const rejected = run(limit('b1', 'alice', 'BUY', 101, 4, { timeInForce: 'FOK' }));
      expect(rejected).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.FOK_NOT_FILLABLE,
        trades: [],
        bookDeltas: [],
      });
      expect(rejected.order).toMatchObject({ status: 'REJECTED', releasedMinor: 404n });
      const filled = run(limit('b2', 'alice', 'BUY', 102, 6, { timeInForce: 'FOK' }));
      expect(filled.status).toBe('FILLED');
      expect(filled.trades.map((t) => t.qtyLots)).toEqual([3, 3]);
    });

    it('rejects a post-only order that would take, and rests one that would not', () => {
      run(limit('s1', 'bob', 'SELL', 100, 3));
      expect(run(limit('b1', 'alice', 'BUY', 100, 1, { postOnly: true }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.POST_ONLY_WOULD_TAKE,
      });
      expect(run(limit('b2', 'alice', 'BUY', 99, 1, { postOnly: true })).status).toBe('ACCEPTED');
    });

    it('releases the excess of a limit buy quote cap at acceptance and rejects a cap below the notional', () => {
      const accepted = run(limit('b1', 'alice', 'BUY', 100, 5, { quoteCapMinor: 650n }));
      expect(accepted.order).toMatchObject({ releasedMinor: 150n, lockRemainingMinor: 500n });
      const rejected = run(limit('b2', 'alice', 'BUY', 100, 5, { quoteCapMinor: 499n }));
      expect(rejected).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.INSUFFICIENT_LOCK,
      });
    });
  });

  describe('market orders', () => {
    beforeEach(() => {
      run(limit('s1', 'bob', 'SELL', 100, 2));
      run(limit('s2', 'bob', 'SELL', 110, 2));
      run(limit('b1', 'carol', 'BUY', 90, 2));
    });

    it('sells by base quantity into the bids and expires what the book cannot fill', () => {
      const result = run(market('m1', 'alice', 'SELL', { qtyLots: 3 }));
      expect(result.status).toBe('EXPIRED');
      expect(result.order).toMatchObject({
        filledLots: 2,
        remainingLots: 1,
        reason: ExpiryReason.UNFILLED_REMAINDER,
        releasedMinor: 1n,
      });
    });

    it('buys by base quantity within its quote cap, releasing the unspent cap', () => {
      const result = run(market('m1', 'alice', 'BUY', { qtyLots: 3, quoteCapMinor: 1_000n }));
      expect(result.status).toBe('FILLED');
      expect(result.order).toMatchObject({
        filledLots: 3,
        quoteFilledMinor: 310n,
        releasedMinor: 690n,
        priceTicks: undefined,
      });
    });

    it('stops a market buy by quantity when the cap cannot pay for another lot', () => {
      const result = run(market('m1', 'alice', 'BUY', { qtyLots: 4, quoteCapMinor: 315n }));
      expect(result.status).toBe('EXPIRED');
      expect(result.order).toMatchObject({
        filledLots: 3,
        quoteFilledMinor: 310n,
        releasedMinor: 5n,
        reason: ExpiryReason.QUOTE_CAP_REACHED,
      });
    });

    it('buys by quote amount, never spending more than the amount', () => {
      const result = run(market('m1', 'alice', 'BUY', { quoteAmountMinor: 325n }));
      expect(result.status).toBe('FILLED');
      expect(result.order).toMatchObject({
        filledLots: 3,
        originalLots: 3,
        remainingLots: 0,
        quoteFilledMinor: 310n,
        releasedMinor: 15n,
      });
    });

    it('expires a market buy by quote that empties the book', () => {
      const result = run(market('m1', 'alice', 'BUY', { quoteAmountMinor: 10_000n }));
      expect(result.status).toBe('EXPIRED');
      expect(result.order).toMatchObject({
        filledLots: 4,
        quoteFilledMinor: 420n,
        releasedMinor: 9_580n,
        reason: ExpiryReason.UNFILLED_REMAINDER,
      });
    });

    it('requires a quote cap on a market buy by quantity', () => {
      expect(run(market('m1', 'alice', 'BUY', { qtyLots: 1 }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.INVALID_COMMAND,
      });
    });
  });

  describe('self-trade prevention', () => {
    beforeEach(() => {
      run(limit('s1', 'alice', 'SELL', 100, 2));
      run(limit('s2', 'bob', 'SELL', 100, 2));
    });

    it('NONE lets an account trade with itself', () => {
      const result = run(limit('b1', 'alice', 'BUY', 100, 1));
      expect(result.trades[0]).toMatchObject({ makerUserId: 'alice', takerUserId: 'alice' });
    });

    it('EXPIRE_TAKER expires the incoming order and leaves the maker', () => {
      const result = run(limit('b1', 'alice', 'BUY', 100, 3, { stpMode: 'EXPIRE_TAKER' }));
      expect(result).toMatchObject({ status: 'EXPIRED', trades: [] });
      expect(result.order).toMatchObject({
        reason: ExpiryReason.SELF_TRADE_PREVENTION,
        releasedMinor: 300n,
      });
      expect(depth().asks).toEqual([
        ['s1', 100, 2],
        ['s2', 100, 2],
      ]);
    });

    it('EXPIRE_MAKER expires the resting order and keeps matching', () => {
      const result = run(limit('b1', 'alice', 'BUY', 100, 3, { stpMode: 'EXPIRE_MAKER' }));
      expect(result.status).toBe('PARTIALLY_FILLED');
      expect(result.trades.map((t) => t.makerOrderId)).toEqual(['s2']);
      expect(result.ordersAffected).toMatchObject([
        {
          orderId: 's1',
          status: 'EXPIRED',
          reason: ExpiryReason.SELF_TRADE_PREVENTION,
          releasedMinor: 2n,
        },
        { orderId: 's2', status: 'FILLED' },
      ]);
      expect(depth()).toEqual({ bids: [['b1', 100, 1]], asks: [] });
    });

    it('EXPIRE_BOTH expires both orders', () => {
      const result = run(limit('b1', 'alice', 'BUY', 100, 3, { stpMode: 'EXPIRE_BOTH' }));
      expect(result).toMatchObject({ status: 'EXPIRED', trades: [] });
      expect(result.ordersAffected).toMatchObject([{ orderId: 's1', status: 'EXPIRED' }]);
      expect(depth().asks).toEqual([['s2', 100, 2]]);
    });
  });

  describe('cancel and amend', () => {
    it('cancels a resting order, releasing its lock, and rejects a second cancel with UNKNOWN_ORDER', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      const result = run(cancel('b1', 'alice'));
      expect(result).toMatchObject({
        status: 'CANCELLED',
        bookDeltas: [{ side: 'BUY', priceTicks: 100, qtyLots: 0 }],
      });
      expect(result.order).toMatchObject({
        status: 'CANCELLED',
        releasedMinor: 500n,
        lockRemainingMinor: 0n,
        remainingLots: 5,
      });
      expect(run(cancel('b1', 'alice'))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.UNKNOWN_ORDER,
      });
    });

    it("does not let a user cancel another user's order", () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      expect(run(cancel('b1', 'mallory'))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.UNKNOWN_ORDER,
      });
    });

    it('cancels all orders of one user, resting and pending, in priority order', () => {
      run(limit('s0', 'bob', 'SELL', 100, 1));
      run(limit('b0', 'bob', 'BUY', 100, 1));
      run(limit('b1', 'alice', 'BUY', 90, 1));
      run(limit('b2', 'bob', 'BUY', 91, 1));
      run(limit('b3', 'alice', 'BUY', 95, 1, { stopPriceTicks: 120 }));
      run(limit('s1', 'alice', 'SELL', 130, 1));
      const result = run(cancelAll('alice'));
      expect(result.status).toBe('CANCELLED');
      expect(result.ordersAffected.map((o) => [o.orderId, o.status])).toEqual([
        ['b1', 'CANCELLED'],
        ['b3', 'CANCELLED'],
        ['s1', 'CANCELLED'],
      ]);
      expect(depth()).toEqual({ bids: [['b2', 91, 1]], asks: [] });
    });

    it('keeps time priority when only the quantity goes down', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      run(limit('b2', 'bob', 'BUY', 100, 5));
      const result = run(amend('b1', 'alice', { qtyLots: 2 }));
      expect(result.status).toBe('AMENDED');
      expect(result.order).toMatchObject({
        remainingLots: 2,
        originalLots: 2,
        releasedMinor: 300n,
        prioritySeq: 1,
      });
      expect(depth().bids).toEqual([
        ['b1', 100, 2],
        ['b2', 100, 5],
      ]);
    });

    it('loses time priority when the quantity goes up, using the lock added for it', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      run(limit('b2', 'bob', 'BUY', 100, 5));
      expect(run(amend('b1', 'alice', { qtyLots: 6 }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.INSUFFICIENT_LOCK,
      });
      const result = run(amend('b1', 'alice', { qtyLots: 6, lockAddMinor: 150n }));
      expect(result.order).toMatchObject({
        remainingLots: 6,
        lockRemainingMinor: 600n,
        releasedMinor: 50n,
        prioritySeq: 3,
      });
      expect(depth().bids).toEqual([
        ['b2', 100, 5],
        ['b1', 100, 6],
      ]);
    });

    it('re-enters at a new price and may trade at once', () => {
      run(limit('s1', 'bob', 'SELL', 105, 2));
      run(limit('b1', 'alice', 'BUY', 100, 5));
      const result = run(amend('b1', 'alice', { priceTicks: 106, lockAddMinor: 30n }));
      expect(result.status).toBe('AMENDED');
      expect(result.trades).toMatchObject([
        { makerOrderId: 's1', takerOrderId: 'b1', priceTicks: 105, qtyLots: 2 },
      ]);
      // Lock 500 + 30 added; needs 530 at 106; the trade at 105 releases 2 of improvement.
      expect(result.order).toMatchObject({
        status: 'PARTIALLY_FILLED',
        remainingLots: 3,
        lockRemainingMinor: 318n,
        releasedMinor: 2n,
      });
    });

    it('moves to the back of the queue at its new price when the price changes', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      run(limit('b2', 'bob', 'BUY', 101, 5));
      const result = run(amend('b1', 'alice', { priceTicks: 101, lockAddMinor: 5n }));
      expect(result.status).toBe('AMENDED');
      expect(result.trades).toEqual([]);
      expect(result.order).toMatchObject({ priceTicks: 101, remainingLots: 5, prioritySeq: 3 });
      // b1 was placed first, but b2 was at 101 before b1 moved there.
      expect(depth().bids).toEqual([
        ['b2', 101, 5],
        ['b1', 101, 5],
      ]);
      const fill = run(limit('s1', 'carol', 'SELL', 101, 5));
      expect(fill.trades.map((t) => t.makerOrderId)).toEqual(['b2']);
    });

    it('rejects an amend of a post-only order that would take', () => {
      run(limit('s1', 'bob', 'SELL', 105, 2));
      run(limit('b1', 'alice', 'BUY', 100, 5, { postOnly: true }));
      expect(run(amend('b1', 'alice', { priceTicks: 105, lockAddMinor: 100n }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.POST_ONLY_WOULD_TAKE,
      });
    });

    it('rejects an amend of a pending stop order with ORDER_NOT_AMENDABLE', () => {
      run(limit('x1', 'alice', 'BUY', 100, 1, { stopPriceTicks: 120 }));
      expect(run(amend('x1', 'alice', { qtyLots: 1 }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.ORDER_NOT_AMENDABLE,
      });
    });
  });

  describe('stop orders', () => {
    it('holds a stop outside the book and fires it within the command whose trade reached its price', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1));
      run(limit('s2', 'bob', 'SELL', 105, 5));
      const stop = run(limit('x1', 'alice', 'BUY', 106, 2, { stopPriceTicks: 100 }));
      expect(stop.status).toBe('ACCEPTED');
      expect(stop.order).toMatchObject({ status: 'PENDING_TRIGGER', lockRemainingMinor: 212n });
      expect(depth().bids).toEqual([]);
      const result = run(limit('b1', 'carol', 'BUY', 100, 1));
      expect(result.status).toBe('FILLED');
      expect(result.trades.map((t) => [t.takerOrderId, t.makerOrderId, t.priceTicks])).toEqual([
        ['b1', 's1', 100],
        ['x1', 's2', 105],
      ]);
      expect(result.ordersAffected).toMatchObject([
        { orderId: 's1', status: 'FILLED' },
        { orderId: 'x1', status: 'FILLED', releasedMinor: 2n },
        { orderId: 's2', status: 'PARTIALLY_FILLED' },
      ]);
    });

    it('fires triggered stops in priority order and cascades through the prices they reach', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1));
      run(limit('s2', 'bob', 'SELL', 101, 1));
      run(limit('s3', 'bob', 'SELL', 102, 1));
      run(market('x1', 'alice', 'BUY', { qtyLots: 1, quoteCapMinor: 1_000n, stopPriceTicks: 101 }));
      run(market('x2', 'carol', 'BUY', { qtyLots: 1, quoteCapMinor: 1_000n, stopPriceTicks: 100 }));
      const result = run(limit('b1', 'dave', 'BUY', 100, 1));
      // The trade at 100 fires x2 only; x2's trade at 101 fires x1.
      expect(result.trades.map((t) => [t.takerOrderId, t.priceTicks])).toEqual([
        ['b1', 100],
        ['x2', 101],
        ['x1', 102],
      ]);
    });

    it('activates stops that trigger together in placement order, not in stop-price order', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1));
      run(limit('s2', 'bob', 'SELL', 101, 1));
      run(limit('s3', 'bob', 'SELL', 102, 1));
      run(limit('bb', 'bob', 'BUY', 90, 5));
      run(market('x1', 'alice', 'BUY', { qtyLots: 1, quoteCapMinor: 1_000n, stopPriceTicks: 100 }));
      run(market('x2', 'carol', 'SELL', { qtyLots: 1, stopPriceTicks: 100 }));
      run(market('x3', 'erin', 'BUY', { qtyLots: 1, quoteCapMinor: 1_000n, stopPriceTicks: 98 }));
      // The trade at 100 triggers all three at once: x3's stop (98) was reached first, but the
      // three run in the order they were placed. No trade of theirs triggers anything else.
      const result = run(limit('b1', 'dave', 'BUY', 100, 1));
      expect(result.trades.map((t) => [t.takerOrderId, t.makerOrderId, t.priceTicks])).toEqual([
        ['b1', 's1', 100],
        ['x1', 's2', 101],
        ['x2', 'bb', 90],
        ['x3', 's3', 102],
      ]);
      expect(
        result.ordersAffected.filter((o) => o.stopPriceTicks !== undefined).map((o) => o.orderId),
      ).toEqual(['x1', 'x2', 'x3']);
    });

    it('fires a stop-market buy by quote amount, spending at most the amount', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1));
      run(limit('s2', 'bob', 'SELL', 105, 10));
      run(market('x1', 'alice', 'BUY', { quoteAmountMinor: 500n, stopPriceTicks: 100 }));
      const result = run(limit('b1', 'carol', 'BUY', 100, 1));
      expect(result.trades.map((t) => [t.takerOrderId, t.priceTicks, t.qtyLots])).toEqual([
        ['b1', 100, 1],
        ['x1', 105, 4],
      ]);
      expect(result.ordersAffected.find((o) => o.orderId === 'x1')).toMatchObject({
        status: 'FILLED',
        filledLots: 4,
        originalLots: 4,
        remainingLots: 0,
        quoteFilledMinor: 420n,
        releasedMinor: 80n,
        lockRemainingMinor: 0n,
      });
      expect(depth().asks).toEqual([['s2', 105, 6]]);
    });

    it('rejects a stop that the last trade price already reached', () => {
      run(limit('s1', 'bob', 'SELL', 100, 1));
      run(limit('b1', 'carol', 'BUY', 100, 1));
      expect(run(limit('x1', 'alice', 'SELL', 90, 1, { stopPriceTicks: 100 }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.STOP_WOULD_TRIGGER_IMMEDIATELY,
      });
      expect(run(limit('x2', 'alice', 'SELL', 90, 1, { stopPriceTicks: 99 })).status).toBe(
        'ACCEPTED',
      );
    });

    it('cancels a pending stop, releasing its whole lock', () => {
      run(market('x1', 'alice', 'BUY', { quoteAmountMinor: 777n, stopPriceTicks: 50 }));
      const result = run(cancel('x1', 'alice'));
      expect(result.order).toMatchObject({ status: 'CANCELLED', releasedMinor: 777n });
    });
  });

  describe('engine-level rules', () => {
    it('rejects new orders and amends in a halted market but accepts cancels', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      const halt = run(setStatus('HALTED'));
      expect(halt).toMatchObject({ status: 'ACCEPTED', marketStatus: 'HALTED' });
      expect(run(limit('b2', 'alice', 'BUY', 100, 5))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.MARKET_HALTED,
      });
      expect(run(amend('b1', 'alice', { qtyLots: 1 }))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.MARKET_HALTED,
      });
      expect(run(cancel('b1', 'alice')).status).toBe('CANCELLED');
      // Resume, rest b3, halt again: a user can still pull everything at once.
      expect(run(setStatus('TRADING'))).toMatchObject({ marketStatus: 'TRADING' });
      expect(run(limit('b3', 'alice', 'BUY', 99, 1)).status).toBe('ACCEPTED');
      expect(run(setStatus('HALTED'))).toMatchObject({ marketStatus: 'HALTED' });
      const all = run(cancelAll('alice'));
      expect(all.status).toBe('CANCELLED');
      expect(all.ordersAffected.map((o) => [o.orderId, o.status])).toEqual([['b3', 'CANCELLED']]);
    });

    it('carries the client order id on every update of the order', () => {
      const placed = run(limit('b1', 'alice', 'BUY', 100, 5, { clientOrderId: 'my-1' }));
      expect(placed.order).toMatchObject({ orderId: 'b1', clientOrderId: 'my-1' });
      const traded = run(limit('s1', 'bob', 'SELL', 100, 2));
      expect(traded.ordersAffected).toMatchObject([
        { orderId: 'b1', clientOrderId: 'my-1', status: 'PARTIALLY_FILLED' },
      ]);
      expect(traded.order).toMatchObject({ orderId: 's1', clientOrderId: undefined });
      expect(run(amend('b1', 'alice', { qtyLots: 1 })).order).toMatchObject({
        clientOrderId: 'my-1',
      });
      expect(run(cancel('b1', 'alice')).order).toMatchObject({
        status: 'CANCELLED',
        clientOrderId: 'my-1',
      });
    });

    it('indexes an order whose commandId is its orderId like any other', () => {
      // As order-service sends a place command: the dedupe window and the order index both hold
      // the one id, and neither may mistake the other's entry for its own.
      const place = {
        ...limit('x', 'alice', 'BUY', 100, 5),
        commandId: 'same-1',
        orderId: 'same-1',
      };
      expect(run(place).status).toBe('ACCEPTED');
      expect(run({ ...place, commandId: 'other' })).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.DUPLICATE_ORDER_ID,
      });
      expect(run(place).status).toBe('DUPLICATE');
      const fill = run(limit('s1', 'bob', 'SELL', 100, 2));
      expect(fill.trades.map((t) => t.makerOrderId)).toEqual(['same-1']);
      expect(run(cancel('same-1', 'alice')).order).toMatchObject({
        status: 'CANCELLED',
        remainingLots: 3,
      });
    });

    it('rejects a second live order with the same orderId', () => {
      run(limit('b1', 'alice', 'BUY', 100, 5));
      expect(run(limit('b1', 'alice', 'BUY', 99, 5))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.DUPLICATE_ORDER_ID,
      });
    });

    it('answers a repeated commandId with DUPLICATE and no effect', () => {
      const command = limit('b1', 'alice', 'BUY', 100, 5);
      expect(run(command).status).toBe('ACCEPTED');
      expect(run(command)).toMatchObject({
        status: 'DUPLICATE',
        eventSeq: 0,
        order: undefined,
        trades: [],
      });
      expect(depth().bids).toEqual([['b1', 100, 5]]);
    });

    it('forgets commandIds beyond its dedupe window', () => {
      engine = new MatchingEngine({ markets: [UNIT], bookFactory, dedupeWindow: 2 });
      const first = cancel('nothing', 'alice');
      run(first);
      run(cancel('nothing', 'alice'));
      expect(run(first).status).toBe('DUPLICATE');
      run(cancel('nothing', 'alice'));
      run(cancel('nothing', 'alice'));
      expect(run(first)).toMatchObject({ status: 'REJECTED', code: EngineErrorCode.UNKNOWN_ORDER });
    });

    it('rejects a command for an unknown market without an eventSeq', () => {
      expect(run(cancelAll('alice', 'NOPE'))).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.UNKNOWN_MARKET,
        eventSeq: 0,
      });
    });

    it('stamps every result of a market with the next eventSeq, rejections included', () => {
      const seqs = [
        run(limit('b1', 'alice', 'BUY', 100, 5)),
        run(cancel('zz', 'alice')),
        run(limit('b2', 'alice', 'BUY', 0, 5)),
      ].map((r) => r.eventSeq);
      expect(seqs).toEqual([1, 2, 3]);
    });

    it('rejects a malformed command with INVALID_COMMAND instead of throwing', () => {
      const result = engine.apply({
        type: 'cancel',
        symbol: UNIT.symbol,
      } as unknown as EngineCommand);
      expect(result).toMatchObject({
        status: 'REJECTED',
        code: EngineErrorCode.INVALID_COMMAND,
        eventSeq: 1,
      });
    });
  });
});

describe('OrderBook bounds', () => {
  it('rejects an order beyond its live-order bound with BOOK_FULL', () => {
    const engine = new MatchingEngine({
      markets: [UNIT],
      bookFactory: (m, s) => new OrderBook(m, s, 2),
    });
    engine.apply(limit('b1', 'alice', 'BUY', 100, 1));
    engine.apply(limit('b2', 'alice', 'BUY', 100, 1));
    expect(engine.apply(limit('b3', 'alice', 'BUY', 100, 1))).toMatchObject({
      status: 'REJECTED',
      code: EngineErrorCode.BOOK_FULL,
    });
  });
});
