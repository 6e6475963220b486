// Proves the book's invariants as properties (fast-check): for random command sequences on a
// small crowded market, after every command the book is valid and never crossed, makers are
// consumed in price-time priority, filled + remaining = original, FOK fills fully or not at all,
// IOC never rests, post-only never takes, STP never matches an account with itself, buys never
// spend more than their cap or amount, and every order's lock is exactly accounted for.
// fast-check prints the seed and path of a failing run so it can be replayed.
import fc from 'fast-check';
import { baseMinor, lockForOrder } from '../money/amounts';
import { UNIT } from '../testing/fixtures';
import { EngineCommand, PlaceOrderCommand, Side, StpMode, TimeInForce } from './commands';
import { MatchingEngine } from './matching-engine';
import { EngineResult, OrderUpdate } from './results';

type Spec =
  | {
      kind: 'limit';
      user: number;
      side: Side;
      price: number;
      qty: number;
      tif: TimeInForce;
      postOnly: boolean;
      stp: StpMode;
      stop?: number;
      cap?: number;
    }
  | {
      kind: 'market';
      user: number;
      side: Side;
      qty: number;
      stp: StpMode;
      byQuote: boolean;
      budget: number;
      stop?: number;
    }
  | { kind: 'cancel'; target: number }
  | { kind: 'cancelAll'; user: number }
  | { kind: 'amend'; target: number; price?: number; qty?: number; lockAdd: number };

const user = fc.integer({ min: 1, max: 3 });
const side = fc.constantFrom<Side>('BUY', 'SELL');
const price = fc.integer({ min: 95, max: 105 });
const qty = fc.integer({ min: 1, max: 20 });
const stp = fc.constantFrom<StpMode>('NONE', 'NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH');
const maybeStop = fc.option(fc.integer({ min: 93, max: 107 }), { freq: 6 });

const spec: fc.Arbitrary<Spec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      user,
      side,
      price,
      qty,
      tif: fc.constantFrom<TimeInForce>('GTC', 'GTC', 'IOC', 'FOK'),
      postOnly: fc.boolean(),
      stp,
      stop: maybeStop.map((v) => v ?? undefined),
      cap: fc.option(fc.integer({ min: 0, max: 50 })).map((v) => v ?? undefined),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('market' as const),
      user,
      side,
      qty,
      stp,
      byQuote: fc.boolean(),
      budget: fc.integer({ min: 1, max: 2_500 }),
      stop: maybeStop.map((v) => v ?? undefined),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), target: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('amend' as const),
      target: fc.nat(),
      price: fc.option(price).map((v) => v ?? undefined),
      qty: fc.option(qty).map((v) => v ?? undefined),
      lockAdd: fc.integer({ min: 0, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancelAll' as const), user }) },
);

interface Tracked {
  command: PlaceOrderCommand;
  lockTaken: bigint;
  released: bigint;
}

function toCommand(s: Spec, index: number, placed: PlaceOrderCommand[]): EngineCommand {
  const base = { commandId: `c${index}`, timestampMs: index, symbol: UNIT.symbol };
  switch (s.kind) {
    case 'limit': {
      const command: PlaceOrderCommand = {
        ...base,
        userId: `u${s.user}`,
        type: 'place',
        orderId: `o${index}`,
        side: s.side,
        orderType: 'LIMIT',
        priceTicks: s.price,
        qtyLots: s.qty,
        timeInForce: s.tif,
        stpMode: s.stp,
      };
      if (s.postOnly && s.tif === 'GTC') command.postOnly = true;
      if (s.stop !== undefined) command.stopPriceTicks = s.stop;
      if (s.cap !== undefined && s.side === 'BUY')
        command.quoteCapMinor = BigInt(s.price * s.qty + s.cap);
      return command;
    }
    case 'market': {
      const command: PlaceOrderCommand = {
        ...base,
        userId: `u${s.user}`,
        type: 'place',
        orderId: `o${index}`,
        side: s.side,
        orderType: 'MARKET',
        stpMode: s.stp,
      };
      if (s.side === 'BUY' && s.byQuote) command.quoteAmountMinor = BigInt(s.budget);
      else command.qtyLots = s.qty;
      if (s.side === 'BUY' && !s.byQuote) command.quoteCapMinor = BigInt(s.budget);
      if (s.stop !== undefined) command.stopPriceTicks = s.stop;
      return command;
    }
    case 'cancel': {
      const target = placed[s.target % Math.max(1, placed.length)];
      return {
        ...base,
        userId: target?.userId ?? 'u1',
        type: 'cancel',
        orderId: target?.orderId ?? 'none',
      };
    }
    case 'cancelAll':
      return { ...base, userId: `u${s.user}`, type: 'cancelAll' };
    case 'amend': {
      const target = placed[s.target % Math.max(1, placed.length)];
      const command: EngineCommand = {
        ...base,
        userId: target?.userId ?? 'u1',
        type: 'amend',
        orderId: target?.orderId ?? 'none',
        lockAddMinor: BigInt(s.lockAdd),
      };
      if (s.price !== undefined) command.priceTicks = s.price;
      if (s.qty !== undefined || s.price === undefined) command.qtyLots = s.qty ?? 1;
      return command;
    }
  }
}

function updatesOf(result: EngineResult): OrderUpdate[] {
  return result.order === undefined
    ? [...result.ordersAffected]
    : [result.order, ...result.ordersAffected];
}

function checkSequence(specs: Spec[]): void {
  const engine = new MatchingEngine({ markets: [UNIT] });
  const placed: PlaceOrderCommand[] = [];
  const tracked = new Map<string, Tracked>();
  specs.forEach((s, index) => {
    const command = toCommand(s, index, placed);
    const before = engine.book(UNIT.symbol)!.snapshot();
    const result = engine.apply(command);
    engine.validateInternalState();

    if (command.type === 'place') {
      placed.push(command);
      tracked.set(command.orderId, {
        command,
        lockTaken: lockForOrder(UNIT, command).amountMinor,
        released: 0n,
      });
    }
    if (command.type === 'amend' && result.status === 'AMENDED') {
      tracked.get(command.orderId)!.lockTaken += command.lockAddMinor ?? 0n;
    }

    for (const update of updatesOf(result)) {
      expect(update.filledLots + update.remainingLots).toBe(update.originalLots);
      const order = tracked.get(update.orderId)!;
      order.released += update.releasedMinor;
      const spent =
        update.side === 'BUY' ? update.quoteFilledMinor : baseMinor(UNIT, update.filledLots);
      if (update.status !== 'REJECTED') {
        // Lock taken = spent + released + still locked, for every order after every command.
        expect(spent + order.released + update.lockRemainingMinor).toBe(order.lockTaken);
      }
      // A buy never spends more than it locked: its cap or amount, plus what accepted amends added.
      if (update.side === 'BUY') expect(update.quoteFilledMinor <= order.lockTaken).toBe(true);
      const cap = order.command.quoteAmountMinor ?? order.command.quoteCapMinor;
      if (cap !== undefined && order.command.orderType === 'MARKET') {
        expect(update.quoteFilledMinor <= cap).toBe(true);
      }
    }

    for (const trade of result.trades) {
      const taker = tracked.get(trade.takerOrderId)!.command;
      expect(taker.postOnly === true).toBe(false);
      if (trade.makerUserId === trade.takerUserId) expect(taker.stpMode ?? 'NONE').toBe('NONE');
    }

    if (
      command.type === 'place' &&
      command.stopPriceTicks === undefined &&
      result.status !== 'REJECTED'
    ) {
      const own = result.order!;
      if (command.timeInForce === 'FOK') expect(own.status).toBe('FILLED');
      if (command.timeInForce === 'IOC' || command.orderType === 'MARKET')
        expect(['NEW', 'PARTIALLY_FILLED']).not.toContain(own.status);
      const triggered = result.ordersAffected.some((u) => u.stopPriceTicks !== undefined);
      if (!triggered) {
        // Price-time priority: the makers touched are a prefix of the opposite side's queue, and
        // every one but the last was used up.
        const queue = (command.side === 'BUY' ? before.asks : before.bids).map((o) => o.orderId);
        const makers = result.ordersAffected.map((u) => u.orderId);
        expect(makers).toEqual(queue.slice(0, makers.length));
        result.ordersAffected
          .slice(0, -1)
          .forEach((u) => expect(['FILLED', 'EXPIRED']).toContain(u.status));
        const prices = result.trades.map((t) => t.priceTicks);
        const sorted = [...prices].sort((a, b) => (command.side === 'BUY' ? a - b : b - a));
        expect(prices).toEqual(sorted);
      }
    }
  });
}

describe('order book properties', () => {
  // About 3-4 s here (250 sequences of up to 150 commands), near jest's 5 s default. Synchronous,
  // so jest cannot interrupt it today; the explicit bound keeps a slower machine from failing a
  // correct run should it become asynchronous.
  it('hold after every command of random sequences', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 150, size: 'max' }), (specs) =>
        checkSequence(specs),
      ),
      { numRuns: 250 },
    );
  }, 120_000);
});
