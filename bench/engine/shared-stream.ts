// The shared stream: GTC limits, market orders by base quantity and cancels, the subset that both
// our engine and nodejs-order-book support with the same meaning. Built once from a seed as plain
// data, then translated to each engine's calls before timing starts.
import { decodeCommand, encodeCommand, EngineCommand, MatchingEngine, Prng } from './imports';
import { BENCH_MARKET, UNLIMITED_QUOTE_MINOR } from './bench-market';
import { benchId, ID_FORMAT, IdKind } from './bench-ids';

export type SharedOp =
  | { kind: 'limit'; id: string; side: 'BUY' | 'SELL'; price: number; size: number }
  | { kind: 'market'; id: string; side: 'BUY' | 'SELL'; size: number }
  | { kind: 'cancel'; id: string };

/**
 * Limits around a slowly drifting mid (a quarter of them crossing), 4 % market orders sweeping
 * into the book, and cancels of live orders (a helper engine tracks which are live) and, now and
 * then, of an order that already filled, which both engines must answer as unknown. The book
 * holds about SHARED_BOOK_ORDERS orders over a few hundred levels.
 */
const SHARED_BOOK_ORDERS = 2_000;

export function buildSharedStream(seed: number, count: number): SharedOp[] {
  const rng = new Prng(seed);
  const ops: SharedOp[] = [];
  const tracker = new MatchingEngine({ markets: [BENCH_MARKET] });
  const live: string[] = [];
  const liveIndex = new Map<string, number>();
  const forget = (id: string): void => {
    const at = liveIndex.get(id);
    if (at === undefined) return;
    const last = live.pop() as string;
    if (last !== id) {
      live[at] = last;
      liveIndex.set(last, at);
    }
    liveIndex.delete(id);
  };
  let mid = 100_000;
  for (let i = 0; i < count; i++) {
    mid += rng.int(-1, 1);
    const roll = rng.float();
    let op: SharedOp;
    // Cancels keep the book near SHARED_BOOK_ORDERS resting orders.
    const cancelShare = live.length >= SHARED_BOOK_ORDERS ? 0.45 : 0.1;
    if (roll < cancelShare && live.length > 0) {
      const id = rng.chance(0.95)
        ? live[rng.int(0, live.length - 1)]
        : benchId(IdKind.Order, rng.int(0, i));
      op = { kind: 'cancel', id };
    } else if (roll < cancelShare + 0.04) {
      op = {
        kind: 'market',
        id: benchId(IdKind.MarketOrder, i),
        side: rng.chance(0.5) ? 'BUY' : 'SELL',
        size: rng.int(1, 400),
      };
    } else {
      const side = rng.chance(0.5) ? 'BUY' : 'SELL';
      const crossing = rng.chance(0.25);
      const away = crossing ? -rng.int(0, 5) : rng.int(1, 150);
      op = {
        kind: 'limit',
        id: benchId(IdKind.Order, i),
        side,
        price: side === 'BUY' ? mid - away : mid + away,
        size: rng.int(1, 100),
      };
    }
    ops.push(op);
    const [command] = toEngineCommandsRaw([op], i);
    const result = tracker.apply(asDecoded(command));
    for (const update of [result.order, ...result.ordersAffected]) {
      if (update === undefined) continue;
      if (update.status === 'NEW' || update.status === 'PARTIALLY_FILLED') {
        if (!liveIndex.has(update.orderId)) {
          liveIndex.set(update.orderId, live.length);
          live.push(update.orderId);
        }
      } else {
        forget(update.orderId);
      }
    }
  }
  return ops;
}

/**
 * A command as the engine service applies it, decoded from its JSON text, for the helper engines
 * that build the streams. They run the same `apply` code as the timed engines, in the same
 * process, so what they are fed shapes the hidden classes the timed rounds use:
 * - objects built by spreading left its property reads megamorphic (docs/performance.md, "Fourth
 *   pass");
 * - numbers straight from the generator (Math.floor's results are heap numbers) turned the
 *   engine's integer fields, such as an order's or a level's priceTicks, into boxed doubles for
 *   the whole process, one more cache line per read ("Sixth pass"). JSON.parse gives small
 *   integers, as it does in the service.
 */
export function asDecoded(command: EngineCommand): EngineCommand {
  return decodeCommand(JSON.parse(JSON.stringify(encodeCommand(command))));
}

/** Our commands for the stream, as the engine receives them: decoded from their JSON form. */
export function toEngineCommands(ops: readonly SharedOp[]): EngineCommand[] {
  return toEngineCommandsRaw(ops, 0).map(asDecoded);
}

/**
 * Every command is placed and cancelled by one user, as nodejs-order-book has no owners; with
 * self-trade prevention off, owners change nothing else. With UUID ids a place command's commandId
 * is its orderId, as order-service sends it.
 */
function toEngineCommandsRaw(ops: readonly SharedOp[], firstIndex: number): EngineCommand[] {
  const symbol = BENCH_MARKET.symbol;
  return ops.map((op, offset): EngineCommand => {
    const i = firstIndex + offset;
    const commandId =
      ID_FORMAT === 'uuid' && op.kind !== 'cancel' ? op.id : benchId(IdKind.Command, i);
    const base = { commandId, timestampMs: i, userId: 'trader', symbol };
    switch (op.kind) {
      case 'limit':
        return {
          ...base,
          type: 'place',
          orderId: op.id,
          side: op.side,
          orderType: 'LIMIT',
          priceTicks: op.price,
          qtyLots: op.size,
        };
      case 'market':
        return {
          ...base,
          type: 'place',
          orderId: op.id,
          side: op.side,
          orderType: 'MARKET',
          qtyLots: op.size,
          quoteCapMinor: op.side === 'BUY' ? UNLIMITED_QUOTE_MINOR : undefined,
        };
      case 'cancel':
        return { ...base, type: 'cancel', orderId: op.id };
    }
  });
}

/** Levels (price, total) of one side, best first, from our engine. */
export function ourDepth(engine: MatchingEngine): {
  bids: [number, number][];
  asks: [number, number][];
} {
  const snapshot = engine.book(BENCH_MARKET.symbol)!.snapshot();
  const levels = (orders: typeof snapshot.bids): [number, number][] => {
    const out: [number, number][] = [];
    for (const order of orders) {
      const last = out[out.length - 1];
      if (last !== undefined && last[0] === order.priceTicks) last[1] += order.remainingLots;
      else out.push([order.priceTicks as number, order.remainingLots]);
    }
    return out;
  };
  return { bids: levels(snapshot.bids), asks: levels(snapshot.asks) };
}
