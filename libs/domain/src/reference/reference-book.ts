// The naive reference book, kept beside the fast one forever. Same semantics, written for
// obviousness instead of speed: orders in plain arrays, the best maker found by a full scan,
// every amount in bigint, level totals and lock remainders recomputed from scratch. The
// differential test runs long seeded streams through both and compares every result.
import { assert } from '../assert';
import { ORDERS_PER_BOOK_MAX } from '../constants';
import { EngineErrorCode, ErrorCode, ExpiryReason } from '../error-codes';
import {
  AmendOrderCommand,
  CancelAllCommand,
  CancelOrderCommand,
  EngineCommand,
  OrderType,
  PlaceOrderCommand,
  SetMarketStatusCommand,
  Side,
  StpMode,
  TimeInForce,
} from '../engine/commands';
import { BookSnapshot, MatchingBook, OpenOrder } from '../engine/matching-book';
import { NO_DELTAS, NO_TRADES, NO_UPDATES, rejectedResult } from '../engine/result-factory';
import {
  BookDelta,
  EngineResult,
  OrderStatus,
  OrderUpdate,
  ResultStatus,
  Trade,
} from '../engine/results';
import { baseMinor, feeMinor, notionalMinor } from '../money/amounts';
import { Market, MarketStatus } from '../money/market';

interface RefOrder {
  orderId: string;
  userId: string;
  clientOrderId: string | undefined;
  side: Side;
  orderType: OrderType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  stpMode: StpMode;
  priceTicks: number | undefined;
  stopPriceTicks: number | undefined;
  originalLots: number;
  filledLots: number;
  remainingLots: number;
  quoteFilledMinor: bigint;
  quoteAmountMinor: bigint | undefined;
  quoteCapMinor: bigint | undefined;
  status: OrderStatus;
  reason: ExpiryReason | undefined;
  prioritySeq: number;
}

/** One command's bookkeeping: what it touched, in first-touch order. */
interface Touches {
  own: RefOrder | undefined;
  orders: RefOrder[];
  released: Map<RefOrder, bigint>;
  levels: { side: Side; priceTicks: number }[];
  trades: Trade[];
  traded: boolean;
}

export class ReferenceBook implements MatchingBook {
  status: MarketStatus;
  private resting: RefOrder[] = [];
  private stops: RefOrder[] = [];
  private eventSeq = 0;
  private tradeSeq = 0;
  private lastTradePriceTicks = 0;
  private nextPrioritySeq = 1;
  private t: Touches = ReferenceBook.noTouches();

  constructor(
    readonly market: Market,
    snapshot?: BookSnapshot,
  ) {
    this.status = market.status;
    if (snapshot !== undefined) {
      this.status = snapshot.status;
      this.eventSeq = snapshot.eventSeq;
      this.tradeSeq = snapshot.tradeSeq;
      this.lastTradePriceTicks = snapshot.lastTradePriceTicks;
      this.nextPrioritySeq = snapshot.nextPrioritySeq;
      this.resting = [...snapshot.bids, ...snapshot.asks].map(fromOpen);
      this.stops = snapshot.stops.map(fromOpen);
    }
  }

  private static noTouches(): Touches {
    return {
      own: undefined,
      orders: [],
      released: new Map(),
      levels: [],
      trades: [],
      traded: false,
    };
  }

  place(cmd: PlaceOrderCommand): EngineResult {
    this.begin();
    if (this.status === 'HALTED') return this.rejected(cmd, EngineErrorCode.MARKET_HALTED);
    if (this.findLive(cmd.orderId) !== undefined)
      return this.rejected(cmd, EngineErrorCode.DUPLICATE_ORDER_ID);
    if (this.resting.length + this.stops.length >= ORDERS_PER_BOOK_MAX)
      return this.rejected(cmd, EngineErrorCode.BOOK_FULL);
    const order = newOrder(cmd);
    const isStop = cmd.stopPriceTicks !== undefined;
    if (isStop && this.stopTriggers(order))
      return this.rejected(cmd, EngineErrorCode.STOP_WOULD_TRIGGER_IMMEDIATELY);
    if (!isStop && order.postOnly && this.crosses(order.side, order.priceTicks as number)) {
      return this.rejected(cmd, EngineErrorCode.POST_ONLY_WOULD_TAKE);
    }
    if (!isStop && order.timeInForce === 'FOK' && !this.canFillEntirely(order)) {
      return this.rejected(cmd, EngineErrorCode.FOK_NOT_FILLABLE);
    }
    this.t.own = order;
    if (order.orderType === 'LIMIT' && cmd.quoteCapMinor !== undefined) {
      this.release(
        order,
        cmd.quoteCapMinor -
          notionalMinor(this.market, order.priceTicks as number, order.originalLots),
      );
    }
    if (isStop) {
      order.status = 'PENDING_TRIGGER';
      order.prioritySeq = this.nextPrioritySeq++;
      this.stops.push(order);
      return this.finish(cmd, 'ACCEPTED');
    }
    this.run(order);
    this.fireStops();
    const status: ResultStatus =
      order.status === 'FILLED'
        ? 'FILLED'
        : order.status === 'EXPIRED'
          ? 'EXPIRED'
          : order.status === 'PARTIALLY_FILLED'
            ? 'PARTIALLY_FILLED'
            : 'ACCEPTED';
    return this.finish(cmd, status);
  }

  cancel(cmd: CancelOrderCommand): EngineResult {
    this.begin();
    const order = this.findLive(cmd.orderId);
    if (order === undefined || order.userId !== cmd.userId)
      return this.rejected(cmd, EngineErrorCode.UNKNOWN_ORDER);
    this.t.own = order;
    this.cancelOrder(order);
    return this.finish(cmd, 'CANCELLED');
  }

  cancelAll(cmd: CancelAllCommand): EngineResult {
    this.begin();
    const mine = [...this.resting, ...this.stops].filter((order) => order.userId === cmd.userId);
    mine.sort((a, b) => a.prioritySeq - b.prioritySeq);
    for (const order of mine) {
      this.touch(order);
      this.cancelOrder(order);
    }
    return this.finish(cmd, 'CANCELLED');
  }

  amend(cmd: AmendOrderCommand): EngineResult {
    this.begin();
    if (this.status === 'HALTED') return this.rejected(cmd, EngineErrorCode.MARKET_HALTED);
    const order = this.findLive(cmd.orderId);
    if (order === undefined || order.userId !== cmd.userId)
      return this.rejected(cmd, EngineErrorCode.UNKNOWN_ORDER);
    if (order.status === 'PENDING_TRIGGER')
      return this.rejected(cmd, EngineErrorCode.ORDER_NOT_AMENDABLE);
    const price = order.priceTicks as number;
    const newPrice = cmd.priceTicks ?? price;
    const newQty = cmd.qtyLots ?? order.remainingLots;
    const have = this.lockOf(order.side, price, order.remainingLots) + (cmd.lockAddMinor ?? 0n);
    const need = this.lockOf(order.side, newPrice, newQty);
    if (need > have) return this.rejected(cmd, EngineErrorCode.INSUFFICIENT_LOCK);
    if (newPrice !== price && order.postOnly && this.crosses(order.side, newPrice)) {
      return this.rejected(cmd, EngineErrorCode.POST_ONLY_WOULD_TAKE);
    }
    this.t.own = order;
    this.release(order, have - need);
    if (newPrice === price && newQty <= order.remainingLots) {
      order.remainingLots = newQty;
      order.originalLots = order.filledLots + newQty;
      this.touchLevel(order.side, price);
    } else {
      this.takeOut(order);
      order.priceTicks = newPrice;
      order.remainingLots = newQty;
      order.originalLots = order.filledLots + newQty;
      this.run(order);
      this.fireStops();
    }
    return this.finish(cmd, 'AMENDED');
  }

  setStatus(cmd: SetMarketStatusCommand): EngineResult {
    this.begin();
    this.status = cmd.status;
    return { ...this.finish(cmd, 'ACCEPTED'), marketStatus: cmd.status };
  }

  reject(cmd: EngineCommand, code: ErrorCode): EngineResult {
    this.begin();
    return this.rejected(cmd, code);
  }

  // ---------------------------------------------------------------- matching, the obvious way

  /** The maker that price-time priority puts first on `side`, or undefined. */
  private bestOn(side: Side): RefOrder | undefined {
    let best: RefOrder | undefined;
    for (const order of this.resting) {
      if (order.side !== side) continue;
      if (best === undefined) {
        best = order;
        continue;
      }
      const price = order.priceTicks as number;
      const bestPrice = best.priceTicks as number;
      const better = side === 'BUY' ? price > bestPrice : price < bestPrice;
      if (better || (price === bestPrice && order.prioritySeq < best.prioritySeq)) best = order;
    }
    return best;
  }

  /** All makers on `side` in priority order. */
  private queueOf(side: Side): RefOrder[] {
    const sign = side === 'BUY' ? -1 : 1;
    return this.resting
      .filter((order) => order.side === side)
      .sort(
        (a, b) =>
          sign * ((a.priceTicks as number) - (b.priceTicks as number)) ||
          a.prioritySeq - b.prioritySeq,
      );
  }

  private acceptable(taker: RefOrder, makerPrice: number): boolean {
    if (taker.orderType === 'MARKET') return true;
    const limit = taker.priceTicks as number;
    return taker.side === 'BUY' ? makerPrice <= limit : makerPrice >= limit;
  }

  private crosses(side: Side, priceTicks: number): boolean {
    const best = this.bestOn(side === 'BUY' ? 'SELL' : 'BUY');
    if (best === undefined) return false;
    return side === 'BUY'
      ? (best.priceTicks as number) <= priceTicks
      : (best.priceTicks as number) >= priceTicks;
  }

  private canFillEntirely(taker: RefOrder): boolean {
    let filled = 0;
    for (const maker of this.queueOf(taker.side === 'BUY' ? 'SELL' : 'BUY')) {
      if (!this.acceptable(taker, maker.priceTicks as number)) return false;
      if (taker.stpMode !== 'NONE' && maker.userId === taker.userId) {
        if (taker.stpMode === 'EXPIRE_MAKER') continue;
        return false;
      }
      filled += maker.remainingLots;
      if (filled >= taker.remainingLots) return true;
    }
    return false;
  }

  private budgetOf(taker: RefOrder): bigint | undefined {
    if (taker.side !== 'BUY' || taker.orderType !== 'MARKET') return undefined;
    return (taker.quoteAmountMinor ?? taker.quoteCapMinor) as bigint;
  }

  /** Matches the taker, then rests or ends it. */
  private run(taker: RefOrder): void {
    const budget = this.budgetOf(taker);
    const byQuote = taker.quoteAmountMinor !== undefined;
    let outcome: 'filled' | 'dry' | 'stp' | 'budget' = 'dry';
    for (;;) {
      if (!byQuote && taker.remainingLots === 0) {
        outcome = 'filled';
        break;
      }
      const maker = this.bestOn(taker.side === 'BUY' ? 'SELL' : 'BUY');
      if (maker === undefined || !this.acceptable(taker, maker.priceTicks as number)) break;
      if (taker.stpMode !== 'NONE' && maker.userId === taker.userId) {
        if (taker.stpMode === 'EXPIRE_MAKER' || taker.stpMode === 'EXPIRE_BOTH') {
          this.touch(maker);
          this.release(
            maker,
            this.lockOf(maker.side, maker.priceTicks as number, maker.remainingLots),
          );
          this.takeOut(maker);
          this.end(maker, 'EXPIRED', ExpiryReason.SELF_TRADE_PREVENTION);
        }
        if (taker.stpMode === 'EXPIRE_TAKER' || taker.stpMode === 'EXPIRE_BOTH') {
          outcome = 'stp';
          break;
        }
        continue;
      }
      const price = maker.priceTicks as number;
      let qty = Math.min(
        maker.remainingLots,
        byQuote ? Number.MAX_SAFE_INTEGER : taker.remainingLots,
      );
      if (budget !== undefined) {
        const left = budget - taker.quoteFilledMinor;
        const affordable = left / notionalMinor(this.market, price, 1);
        if (affordable === 0n) {
          outcome = 'budget';
          break;
        }
        if (affordable < BigInt(qty)) qty = Number(affordable);
      }
      this.fill(maker, taker, price, qty);
    }

    if (budget !== undefined) this.release(taker, budget - taker.quoteFilledMinor);
    if (byQuote) {
      taker.originalLots = taker.filledLots;
      taker.remainingLots = 0;
      if (outcome === 'budget') this.end(taker, 'FILLED', undefined);
      else
        this.end(
          taker,
          'EXPIRED',
          outcome === 'stp' ? ExpiryReason.SELF_TRADE_PREVENTION : ExpiryReason.UNFILLED_REMAINDER,
        );
      return;
    }
    if (outcome === 'filled') {
      this.end(taker, 'FILLED', undefined);
      return;
    }
    const reason =
      outcome === 'stp'
        ? ExpiryReason.SELF_TRADE_PREVENTION
        : outcome === 'budget'
          ? ExpiryReason.QUOTE_CAP_REACHED
          : ExpiryReason.UNFILLED_REMAINDER;
    if (taker.orderType === 'MARKET') {
      if (taker.side === 'SELL') this.release(taker, baseMinor(this.market, taker.remainingLots));
      this.end(taker, 'EXPIRED', reason);
    } else if (outcome !== 'stp' && taker.timeInForce === 'GTC') {
      taker.prioritySeq = this.nextPrioritySeq++;
      taker.status = taker.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW';
      if (!this.resting.includes(taker)) this.resting.push(taker);
      this.touchLevel(taker.side, taker.priceTicks as number);
    } else {
      this.release(taker, this.lockOf(taker.side, taker.priceTicks as number, taker.remainingLots));
      this.end(taker, 'EXPIRED', reason);
    }
  }

  private fill(maker: RefOrder, taker: RefOrder, price: number, qty: number): void {
    const market = this.market;
    const quote = notionalMinor(market, price, qty);
    const base = baseMinor(market, qty);
    maker.remainingLots -= qty;
    maker.filledLots += qty;
    if (taker.quoteAmountMinor === undefined) taker.remainingLots -= qty;
    taker.filledLots += qty;
    maker.quoteFilledMinor += quote;
    taker.quoteFilledMinor += quote;
    const takerBuys = taker.side === 'BUY';
    this.t.trades.push({
      tradeSeq: ++this.tradeSeq,
      priceTicks: price,
      qtyLots: qty,
      quoteMinor: quote,
      baseMinor: base,
      makerOrderId: maker.orderId,
      takerOrderId: taker.orderId,
      makerUserId: maker.userId,
      takerUserId: taker.userId,
      takerSide: taker.side,
      makerFeeMinor: feeMinor(takerBuys ? quote : base, market.makerFeePpm),
      makerFeeAsset: takerBuys ? market.quoteAsset : market.baseAsset,
      takerFeeMinor: feeMinor(takerBuys ? base : quote, market.takerFeePpm),
      takerFeeAsset: takerBuys ? market.baseAsset : market.quoteAsset,
    });
    this.lastTradePriceTicks = price;
    this.t.traded = true;
    if (takerBuys && taker.orderType === 'LIMIT') {
      this.release(taker, notionalMinor(market, taker.priceTicks as number, qty) - quote);
    }
    this.touch(maker);
    this.touchLevel(maker.side, price);
    if (maker.remainingLots === 0) {
      this.resting = this.resting.filter((order) => order !== maker);
      this.end(maker, 'FILLED', undefined);
    } else {
      maker.status = 'PARTIALLY_FILLED';
    }
  }

  private stopTriggers(order: RefOrder): boolean {
    const last = this.lastTradePriceTicks;
    if (last === 0) return false;
    const stop = order.stopPriceTicks as number;
    return order.side === 'BUY' ? last >= stop : last <= stop;
  }

  /** Triggered stops run one by one in prioritySeq order of each trigger round. */
  private fireStops(): void {
    if (!this.t.traded) return;
    const queue: RefOrder[] = [];
    for (;;) {
      const triggered = this.stops
        .filter((order) => this.stopTriggers(order))
        .sort((a, b) => a.prioritySeq - b.prioritySeq);
      this.stops = this.stops.filter((order) => !triggered.includes(order));
      queue.push(...triggered);
      const next = queue.shift();
      if (next === undefined) return;
      this.touch(next);
      next.status = 'NEW';
      if (
        next.orderType === 'LIMIT' &&
        next.postOnly &&
        this.crosses(next.side, next.priceTicks as number)
      ) {
        this.release(next, this.lockOf(next.side, next.priceTicks as number, next.remainingLots));
        this.end(next, 'EXPIRED', ExpiryReason.POST_ONLY_WOULD_TAKE);
      } else if (
        next.orderType === 'LIMIT' &&
        next.timeInForce === 'FOK' &&
        !this.canFillEntirely(next)
      ) {
        this.release(next, this.lockOf(next.side, next.priceTicks as number, next.remainingLots));
        this.end(next, 'EXPIRED', ExpiryReason.FOK_NOT_FILLABLE);
      } else {
        this.run(next);
      }
    }
  }

  // ---------------------------------------------------------------- state helpers

  private findLive(orderId: string): RefOrder | undefined {
    return (
      this.resting.find((order) => order.orderId === orderId) ??
      this.stops.find((order) => order.orderId === orderId)
    );
  }

  private lockOf(side: Side, priceTicks: number, lots: number): bigint {
    return side === 'SELL'
      ? baseMinor(this.market, lots)
      : notionalMinor(this.market, priceTicks, lots);
  }

  private pendingLockOf(order: RefOrder): bigint {
    if (order.side === 'BUY' && order.orderType === 'MARKET')
      return (order.quoteAmountMinor ?? order.quoteCapMinor) as bigint;
    return this.lockOf(order.side, order.priceTicks as number, order.remainingLots);
  }

  private cancelOrder(order: RefOrder): void {
    if (order.status === 'PENDING_TRIGGER') {
      this.release(order, this.pendingLockOf(order));
      this.stops = this.stops.filter((other) => other !== order);
    } else {
      this.release(order, this.lockOf(order.side, order.priceTicks as number, order.remainingLots));
      this.takeOut(order);
    }
    this.end(order, 'CANCELLED', undefined);
  }

  private takeOut(order: RefOrder): void {
    this.resting = this.resting.filter((other) => other !== order);
    this.touchLevel(order.side, order.priceTicks as number);
  }

  private end(
    order: RefOrder,
    status: 'FILLED' | 'CANCELLED' | 'EXPIRED',
    reason: ExpiryReason | undefined,
  ): void {
    order.status = status;
    order.reason = reason;
    order.prioritySeq = 0;
  }

  private begin(): void {
    this.eventSeq += 1;
    this.t = ReferenceBook.noTouches();
  }

  private touch(order: RefOrder): void {
    if (order === this.t.own || this.t.orders.includes(order)) return;
    this.t.orders.push(order);
  }

  private release(order: RefOrder, amount: bigint): void {
    assert(amount >= 0n, 'reference: negative release');
    this.t.released.set(order, (this.t.released.get(order) ?? 0n) + amount);
  }

  private touchLevel(side: Side, priceTicks: number): void {
    if (!this.t.levels.some((level) => level.side === side && level.priceTicks === priceTicks)) {
      this.t.levels.push({ side, priceTicks });
    }
  }

  private rejected(cmd: EngineCommand, code: ErrorCode): EngineResult {
    return rejectedResult(this.market, cmd, this.eventSeq, code);
  }

  private finish(cmd: EngineCommand, status: ResultStatus): EngineResult {
    const t = this.t;
    const deltas: BookDelta[] = t.levels.map(({ side, priceTicks }) => ({
      side,
      priceTicks,
      qtyLots: this.resting
        .filter((o) => o.side === side && o.priceTicks === priceTicks)
        .reduce((sum, o) => sum + o.remainingLots, 0),
    }));
    return {
      commandId: cmd.commandId,
      commandType: cmd.type,
      symbol: cmd.symbol,
      eventSeq: this.eventSeq,
      timestampMs: cmd.timestampMs,
      status,
      code: undefined,
      order: t.own === undefined ? undefined : this.updateOf(t.own),
      trades: t.trades.length > 0 ? t.trades : NO_TRADES,
      bookDeltas: deltas.length > 0 ? deltas : NO_DELTAS,
      ordersAffected:
        t.orders.length > 0 ? t.orders.map((order) => this.updateOf(order)) : NO_UPDATES,
      marketStatus: undefined,
    };
  }

  private updateOf(order: RefOrder): OrderUpdate {
    const live =
      order.status === 'NEW' ||
      order.status === 'PARTIALLY_FILLED' ||
      order.status === 'PENDING_TRIGGER';
    return {
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      userId: order.userId,
      side: order.side,
      orderType: order.orderType,
      status: order.status,
      reason: order.reason,
      priceTicks: order.priceTicks,
      stopPriceTicks: order.stopPriceTicks,
      originalLots: order.originalLots,
      filledLots: order.filledLots,
      remainingLots: order.remainingLots,
      quoteFilledMinor: order.quoteFilledMinor,
      lockAsset: order.side === 'BUY' ? this.market.quoteAsset : this.market.baseAsset,
      lockRemainingMinor: !live
        ? 0n
        : order.status === 'PENDING_TRIGGER'
          ? this.pendingLockOf(order)
          : this.lockOf(order.side, order.priceTicks as number, order.remainingLots),
      releasedMinor: this.t.released.get(order) ?? 0n,
      prioritySeq: order.prioritySeq,
    };
  }

  snapshot(): BookSnapshot {
    return {
      symbol: this.market.symbol,
      status: this.status,
      eventSeq: this.eventSeq,
      tradeSeq: this.tradeSeq,
      lastTradePriceTicks: this.lastTradePriceTicks,
      nextPrioritySeq: this.nextPrioritySeq,
      bids: this.queueOf('BUY').map(toOpen),
      asks: this.queueOf('SELL').map(toOpen),
      stops: [...this.stops].sort((a, b) => a.prioritySeq - b.prioritySeq).map(toOpen),
    };
  }

  validateInternalState(): void {
    const bid = this.bestOn('BUY');
    const ask = this.bestOn('SELL');
    assert(
      bid === undefined ||
        ask === undefined ||
        (bid.priceTicks as number) < (ask.priceTicks as number),
      'reference: book is crossed',
    );
    for (const order of this.resting) {
      assert(
        order.remainingLots > 0 && order.originalLots === order.filledLots + order.remainingLots,
        `reference: quantities of ${order.orderId}`,
      );
    }
    for (const order of this.stops)
      assert(!this.stopTriggers(order), `reference: stop ${order.orderId} should have fired`);
  }
}

function newOrder(cmd: PlaceOrderCommand): RefOrder {
  const byQuote = cmd.quoteAmountMinor !== undefined;
  return {
    orderId: cmd.orderId,
    userId: cmd.userId,
    clientOrderId: cmd.clientOrderId,
    side: cmd.side,
    orderType: cmd.orderType,
    timeInForce: cmd.timeInForce ?? (cmd.orderType === 'MARKET' ? 'IOC' : 'GTC'),
    postOnly: cmd.postOnly === true,
    stpMode: cmd.stpMode ?? 'NONE',
    priceTicks: cmd.orderType === 'LIMIT' ? cmd.priceTicks : undefined,
    stopPriceTicks: cmd.stopPriceTicks,
    originalLots: byQuote ? 0 : (cmd.qtyLots as number),
    filledLots: 0,
    remainingLots: byQuote ? 0 : (cmd.qtyLots as number),
    quoteFilledMinor: 0n,
    quoteAmountMinor: cmd.quoteAmountMinor,
    quoteCapMinor: cmd.orderType === 'MARKET' ? cmd.quoteCapMinor : undefined,
    status: 'NEW',
    reason: undefined,
    prioritySeq: 0,
  };
}

function toOpen(order: RefOrder): OpenOrder {
  const row: OpenOrder = {
    orderId: order.orderId,
    userId: order.userId,
    side: order.side,
    orderType: order.orderType,
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    stpMode: order.stpMode,
    status: order.status as OpenOrder['status'],
    originalLots: order.originalLots,
    filledLots: order.filledLots,
    remainingLots: order.remainingLots,
    quoteFilledMinor: order.quoteFilledMinor,
    prioritySeq: order.prioritySeq,
  };
  if (order.clientOrderId !== undefined) row.clientOrderId = order.clientOrderId;
  if (order.priceTicks !== undefined) row.priceTicks = order.priceTicks;
  if (order.stopPriceTicks !== undefined) row.stopPriceTicks = order.stopPriceTicks;
  if (order.quoteAmountMinor !== undefined) row.quoteAmountMinor = order.quoteAmountMinor;
  if (order.quoteCapMinor !== undefined) row.quoteCapMinor = order.quoteCapMinor;
  return row;
}

function fromOpen(row: OpenOrder): RefOrder {
  return {
    orderId: row.orderId,
    userId: row.userId,
    clientOrderId: row.clientOrderId,
    side: row.side,
    orderType: row.orderType,
    timeInForce: row.timeInForce,
    postOnly: row.postOnly,
    stpMode: row.stpMode,
    priceTicks: row.priceTicks,
    stopPriceTicks: row.stopPriceTicks,
    originalLots: row.originalLots,
    filledLots: row.filledLots,
    remainingLots: row.remainingLots,
    quoteFilledMinor: row.quoteFilledMinor,
    quoteAmountMinor: row.quoteAmountMinor,
    quoteCapMinor: row.quoteCapMinor,
    status: row.status,
    reason: undefined,
    prioritySeq: row.prioritySeq,
  };
}
