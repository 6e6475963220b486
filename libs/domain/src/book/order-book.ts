// The fast per-market book: price levels in sorted arrays with the best level last, FIFO queues as
// intrusive linked lists, an id map, stop orders outside the book. One command in, one result out,
// synchronously; the only allocations per command are the result and what it reports.
import { assert, EngineInvariantError } from '../assert';
import { ORDER_NODE_POOL_MAX, ORDERS_PER_BOOK_MAX, QUANTITY_LOTS_MAX } from '../constants';
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
import { BookDelta, EngineResult, OrderUpdate, ResultStatus, Trade } from '../engine/results';
import { baseOf, bigintOf, feeMinor, feeOfNumber, notionalOf } from '../money/amounts';
import { Market, MarketStatus } from '../money/market';
import { BookSide } from './book-side';
import {
  levelTotalProblem,
  topOfBookProblem,
  touchedOrderProblem,
  tradeProblem,
} from './command-invariants';
import { hashString } from '../engine/command-window';
import { OrderIndex } from './order-index';
import { OrderNode } from './order-node';
import { PriceLevel } from './price-level';
import { StopOrders } from './stop-orders';
import { validateBookState } from './validate-book';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIGINT = BigInt(MAX_SAFE);
const QUANTITY_LOTS_MAX_BIGINT = BigInt(QUANTITY_LOTS_MAX);
/** Placeholder for emptied scratch slots, so they keep no order alive. */
const EMPTY_NODE = new OrderNode();

/** Why a taker stopped matching. */
const enum MatchEnd {
  /** Its quantity is filled. */
  Filled,
  /** The opposite side is empty or beyond its limit price. */
  NoLiquidity,
  /** Self-trade prevention expired it. */
  SelfTrade,
  /** A market buy's budget cannot pay for one more lot. */
  Budget,
}

export class OrderBook implements MatchingBook {
  status: MarketStatus;
  readonly bids = new BookSide('BUY');
  readonly asks = new BookSide('SELL');
  readonly orders = new OrderIndex();
  readonly stops = new StopOrders();
  eventSeq = 0;
  tradeSeq = 0;
  lastTradePriceTicks = 0;
  nextPrioritySeq = 1;

  private readonly quoteMinorPerTickLot: number;
  private readonly baseMinorPerLot: number;

  // Per-command state, reset by begin().
  private seq = 0;
  private own: OrderNode | null = null;
  private readonly touched: OrderNode[] = [];
  private touchedCount = 0;
  /** Nodes that left the book during this command; pooled once its result is built. */
  private readonly retired: OrderNode[] = [];
  private retiredCount = 0;
  /** Reusable nodes, so the churn of place and cancel allocates no new ones. */
  private readonly nodePool: OrderNode[] = [];
  private trades: Trade[] | null = null;
  /**
   * This command's book deltas, one per touched level in first-touch order, as parallel arrays of
   * constants and small integers that finish() turns into BookDelta objects. Keeping the delta
   * objects themselves on the (old) book and its levels would cost a write barrier per level and
   * keep them alive into the next scavenge.
   */
  private readonly deltaSides: Side[] = [];
  private readonly deltaPrices: number[] = [];
  private readonly deltaQtys: number[] = [];
  private deltaCount = 0;
  private traded = false;

  /**
   * @param ordersMax bound on live orders, ORDERS_PER_BOOK_MAX unless a test needs a smaller one.
   */
  constructor(
    readonly market: Market,
    snapshot?: BookSnapshot,
    private readonly ordersMax: number = ORDERS_PER_BOOK_MAX,
  ) {
    this.status = market.status;
    this.quoteMinorPerTickLot = market.quoteMinorPerTickLot;
    this.baseMinorPerLot = market.baseMinorPerLot;
    if (snapshot !== undefined) this.restore(snapshot);
  }

  // ---------------------------------------------------------------- commands

  place(cmd: PlaceOrderCommand): EngineResult {
    this.begin();
    if (this.status === 'HALTED') return this.rejectNow(cmd, EngineErrorCode.MARKET_HALTED);
    const idHash = hashString(cmd.orderId);
    if (this.orders.get(cmd.orderId, idHash) !== undefined)
      return this.rejectNow(cmd, EngineErrorCode.DUPLICATE_ORDER_ID);
    if (this.orders.size >= this.ordersMax) return this.rejectNow(cmd, EngineErrorCode.BOOK_FULL);
    const isStop = cmd.stopPriceTicks !== undefined;
    if (
      isStop &&
      StopOrders.triggers(cmd.side, cmd.stopPriceTicks as number, this.lastTradePriceTicks)
    ) {
      return this.rejectNow(cmd, EngineErrorCode.STOP_WOULD_TRIGGER_IMMEDIATELY);
    }
    const node = this.newNode(cmd);
    node.idHash = idHash;
    if (!isStop) {
      if (node.postOnly && this.wouldTake(node.side, node.priceTicks)) {
        return this.rejectNow(cmd, EngineErrorCode.POST_ONLY_WOULD_TAKE);
      }
      if (node.timeInForce === 'FOK' && !this.fillable(node)) {
        return this.rejectNow(cmd, EngineErrorCode.FOK_NOT_FILLABLE);
      }
    }
    this.own = node;
    this.touch(node);
    if (cmd.quoteCapMinor !== undefined && node.orderType === 'LIMIT') {
      // A limit buy can spend at most its notional; the rest of the cap is free at once.
      this.release(
        node,
        cmd.quoteCapMinor -
          notionalOf(node.priceTicks, node.originalLots, this.quoteMinorPerTickLot),
      );
    }
    if (isStop) {
      node.status = 'PENDING_TRIGGER';
      node.prioritySeq = this.nextPrioritySeq++;
      this.index(node);
      this.stops.add(node);
      return this.finish(cmd, 'ACCEPTED');
    }
    this.execute(node);
    this.runTriggeredStops();
    return this.finish(cmd, placeStatus(node));
  }

  cancel(cmd: CancelOrderCommand): EngineResult {
    this.begin();
    const node = this.orders.get(cmd.orderId);
    if (node === undefined || node.userId !== cmd.userId) {
      return this.rejectNow(cmd, EngineErrorCode.UNKNOWN_ORDER);
    }
    this.own = node;
    this.touch(node);
    this.cancelNode(node);
    return this.finish(cmd, 'CANCELLED');
  }

  cancelAll(cmd: CancelAllCommand): EngineResult {
    this.begin();
    const mine: OrderNode[] = [];
    for (const node of this.orders.values()) {
      if (node.userId === cmd.userId) mine.push(node);
    }
    mine.sort((a, b) => a.prioritySeq - b.prioritySeq);
    for (const node of mine) {
      this.touch(node);
      this.cancelNode(node);
    }
    return this.finish(cmd, 'CANCELLED');
  }

  amend(cmd: AmendOrderCommand): EngineResult {
    this.begin();
    if (this.status === 'HALTED') return this.rejectNow(cmd, EngineErrorCode.MARKET_HALTED);
    const node = this.orders.get(cmd.orderId);
    if (node === undefined || node.userId !== cmd.userId) {
      return this.rejectNow(cmd, EngineErrorCode.UNKNOWN_ORDER);
    }
    if (node.status === 'PENDING_TRIGGER')
      return this.rejectNow(cmd, EngineErrorCode.ORDER_NOT_AMENDABLE);
    const newPrice = cmd.priceTicks ?? node.priceTicks;
    const newQty = cmd.qtyLots ?? node.remainingLots;
    const available =
      this.restingLock(node.side, node.priceTicks, node.remainingLots) + (cmd.lockAddMinor ?? 0n);
    const required = this.restingLock(node.side, newPrice, newQty);
    if (required > available) return this.rejectNow(cmd, EngineErrorCode.INSUFFICIENT_LOCK);
    const priceChanged = newPrice !== node.priceTicks;
    if (priceChanged && node.postOnly && this.wouldTake(node.side, newPrice)) {
      return this.rejectNow(cmd, EngineErrorCode.POST_ONLY_WOULD_TAKE);
    }
    this.own = node;
    this.touch(node);
    this.release(node, available - required);
    if (!priceChanged && newQty <= node.remainingLots) {
      // Reducing in place keeps time priority.
      const level = node.level as PriceLevel;
      level.totalLots -= node.remainingLots - newQty;
      node.remainingLots = newQty;
      node.originalLots = node.filledLots + newQty;
      this.touchLevel(level, node.side);
    } else {
      this.removeFromLevel(node);
      node.priceTicks = newPrice;
      node.remainingLots = newQty;
      node.originalLots = node.filledLots + newQty;
      this.execute(node);
      this.runTriggeredStops();
    }
    return this.finish(cmd, 'AMENDED');
  }

  setStatus(cmd: SetMarketStatusCommand): EngineResult {
    this.begin();
    this.status = cmd.status;
    const result = this.finish(cmd, 'ACCEPTED');
    result.marketStatus = cmd.status;
    return result;
  }

  reject(cmd: EngineCommand, code: ErrorCode): EngineResult {
    this.begin();
    return this.rejectNow(cmd, code);
  }

  // ---------------------------------------------------------------- matching

  /** Runs a taker against the book, then rests or expires what is left. */
  private execute(taker: OrderNode): void {
    const end = this.match(taker);
    const isBuy = taker.side === 'BUY';
    if (taker.orderType === 'MARKET') {
      if (isBuy) {
        const budget = (taker.quoteAmountMinor ?? taker.quoteCapMinor) as bigint;
        this.release(taker, budget - quoteFilledOf(taker));
      }
      if (taker.quoteAmountMinor !== undefined) {
        // A buy by quote has no quantity target: it is filled when its budget ran out.
        taker.originalLots = taker.filledLots;
        taker.remainingLots = 0;
        if (end === MatchEnd.Budget) this.terminate(taker, 'FILLED', undefined);
        else
          this.terminate(
            taker,
            'EXPIRED',
            end === MatchEnd.SelfTrade
              ? ExpiryReason.SELF_TRADE_PREVENTION
              : ExpiryReason.UNFILLED_REMAINDER,
          );
        return;
      }
      if (taker.remainingLots === 0) {
        this.terminate(taker, 'FILLED', undefined);
      } else {
        if (!isBuy) this.releaseResting(taker);
        this.terminate(taker, 'EXPIRED', expiryReason(end));
      }
      return;
    }
    if (taker.remainingLots === 0) {
      this.terminate(taker, 'FILLED', undefined);
    } else if (end !== MatchEnd.SelfTrade && taker.timeInForce === 'GTC') {
      this.rest(taker);
    } else {
      this.releaseResting(taker);
      this.terminate(
        taker,
        'EXPIRED',
        end === MatchEnd.SelfTrade
          ? ExpiryReason.SELF_TRADE_PREVENTION
          : ExpiryReason.UNFILLED_REMAINDER,
      );
    }
  }

  private match(taker: OrderNode): MatchEnd {
    const isBuy = taker.side === 'BUY';
    const opposite = isBuy ? this.asks : this.bids;
    const limited = taker.orderType === 'LIMIT';
    const limit = taker.priceTicks;
    const budgeted = isBuy && !limited;
    let budget = budgeted
      ? ((taker.quoteAmountMinor ?? taker.quoteCapMinor) as bigint) - quoteFilledOf(taker)
      : 0n;
    const stp = taker.stpMode;
    while (taker.remainingLots > 0) {
      const level = opposite.best();
      if (level === undefined) return MatchEnd.NoLiquidity;
      const price = level.priceTicks;
      if (limited && (isBuy ? price > limit : price < limit)) return MatchEnd.NoLiquidity;
      const maker = level.head as OrderNode;
      if (stp !== 'NONE' && maker.userId === taker.userId) {
        if (stp !== 'EXPIRE_TAKER') this.expireMaker(maker);
        if (stp !== 'EXPIRE_MAKER') return MatchEnd.SelfTrade;
        continue;
      }
      let qty =
        taker.remainingLots < maker.remainingLots ? taker.remainingLots : maker.remainingLots;
      if (budgeted) {
        const affordable = this.affordableLots(budget, price);
        if (affordable === 0) return MatchEnd.Budget;
        if (affordable < qty) qty = affordable;
        budget -= this.trade(maker, taker, level, qty);
      } else {
        this.trade(maker, taker, level, qty);
      }
    }
    return MatchEnd.Filled;
  }

  /** Executes one trade between the head maker of `level` and the taker; returns its quote amount. */
  private trade(maker: OrderNode, taker: OrderNode, level: PriceLevel, qty: number): bigint {
    const price = level.priceTicks;
    const k = this.quoteMinorPerTickLot;
    maker.remainingLots -= qty;
    maker.filledLots += qty;
    taker.remainingLots -= qty;
    taker.filledLots += qty;
    level.totalLots -= qty;

    const quoteNumber = price * qty * k;
    const quoteSafe = quoteNumber <= MAX_SAFE;
    const quote = quoteSafe ? bigintOf(quoteNumber) : BigInt(price) * BigInt(qty) * BigInt(k);
    const baseNumber = qty * this.baseMinorPerLot;
    const base =
      baseNumber <= MAX_SAFE ? bigintOf(baseNumber) : BigInt(qty) * BigInt(this.baseMinorPerLot);
    addQuoteFilled(maker, quoteNumber, quoteSafe, quote);
    addQuoteFilled(taker, quoteNumber, quoteSafe, quote);
    const market = this.market;
    const takerBuys = taker.side === 'BUY';
    // Each party pays its fee in what it receives: the buyer in base, the seller in quote.
    const makerFeeMinor = takerBuys
      ? this.feeOn(quoteNumber, quoteSafe, quote, market.makerFeePpm)
      : this.feeOn(baseNumber, baseNumber <= MAX_SAFE, base, market.makerFeePpm);
    const takerFeeMinor = takerBuys
      ? this.feeOn(baseNumber, baseNumber <= MAX_SAFE, base, market.takerFeePpm)
      : this.feeOn(quoteNumber, quoteSafe, quote, market.takerFeePpm);
    const trade: Trade = {
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
      makerFeeMinor,
      makerFeeAsset: takerBuys ? market.quoteAsset : market.baseAsset,
      takerFeeMinor,
      takerFeeAsset: takerBuys ? market.baseAsset : market.quoteAsset,
    };
    if (this.trades === null) this.trades = [trade];
    else this.trades.push(trade);
    this.lastTradePriceTicks = price;
    this.traded = true;

    if (takerBuys && taker.orderType === 'LIMIT' && price !== taker.priceTicks) {
      // Price improvement: the lock was taken at the limit price.
      const improvement = (taker.priceTicks - price) * qty * k;
      if (improvement <= MAX_SAFE) this.releaseNumber(taker, improvement);
      else this.release(taker, notionalOf(taker.priceTicks - price, qty, k));
    }
    this.touch(maker);
    this.touchLevel(level, maker.side);
    if (maker.remainingLots === 0) {
      level.unlink(maker);
      if (level.orderCount === 0) (maker.side === 'BUY' ? this.bids : this.asks).remove(level);
      this.terminate(maker, 'FILLED', undefined);
    } else {
      maker.status = 'PARTIALLY_FILLED';
    }
    return quote;
  }

  private feeOn(amountNumber: number, safe: boolean, amount: bigint, ratePpm: number): bigint {
    if (ratePpm === 0) return 0n;
    return safe ? feeOfNumber(amountNumber, ratePpm) : feeMinor(amount, ratePpm);
  }

  /** Lots a budget can pay for at `priceTicks`, capped at QUANTITY_LOTS_MAX. */
  private affordableLots(budget: bigint, priceTicks: number): number {
    const unitCost = priceTicks * this.quoteMinorPerTickLot;
    if (budget <= MAX_SAFE_BIGINT && unitCost <= MAX_SAFE) {
      const b = Number(budget);
      return (b - (b % unitCost)) / unitCost;
    }
    const lots = budget / notionalOf(priceTicks, 1, this.quoteMinorPerTickLot);
    return lots > QUANTITY_LOTS_MAX_BIGINT ? QUANTITY_LOTS_MAX : Number(lots);
  }

  private expireMaker(maker: OrderNode): void {
    this.touch(maker);
    this.releaseResting(maker);
    this.removeFromLevel(maker);
    this.terminate(maker, 'EXPIRED', ExpiryReason.SELF_TRADE_PREVENTION);
  }

  /** True when a limit order at `priceTicks` on `side` would trade at once. */
  private wouldTake(side: OrderNode['side'], priceTicks: number): boolean {
    const best = side === 'BUY' ? this.asks.best() : this.bids.best();
    if (best === undefined) return false;
    return side === 'BUY' ? best.priceTicks <= priceTicks : best.priceTicks >= priceTicks;
  }

  /** FOK pre-check: walks the book as matching would, honouring self-trade prevention. */
  private fillable(taker: OrderNode): boolean {
    const isBuy = taker.side === 'BUY';
    const levels = (isBuy ? this.asks : this.bids).levels;
    let needed = taker.remainingLots;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i];
      if (isBuy ? level.priceTicks > taker.priceTicks : level.priceTicks < taker.priceTicks)
        return false;
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (taker.stpMode !== 'NONE' && maker.userId === taker.userId) {
          if (taker.stpMode === 'EXPIRE_MAKER') continue;
          return false;
        }
        needed -= maker.remainingLots;
        if (needed <= 0) return true;
      }
    }
    return false;
  }

  /** Activates triggered stop orders until none is left, in the order StopOrders defines. */
  private runTriggeredStops(): void {
    if (!this.traded || this.stops.size === 0) return;
    let queue: OrderNode[] | null = null;
    let next = 0;
    for (;;) {
      const triggered = this.stops.takeTriggered(this.lastTradePriceTicks);
      if (triggered !== null) {
        if (queue === null) queue = triggered;
        else for (const node of triggered) queue.push(node);
      }
      if (queue === null || next === queue.length) return;
      this.activate(queue[next++]);
    }
  }

  private activate(node: OrderNode): void {
    this.touch(node);
    node.status = 'NEW';
    if (node.orderType === 'LIMIT') {
      const reason =
        node.postOnly && this.wouldTake(node.side, node.priceTicks)
          ? ExpiryReason.POST_ONLY_WOULD_TAKE
          : node.timeInForce === 'FOK' && !this.fillable(node)
            ? ExpiryReason.FOK_NOT_FILLABLE
            : undefined;
      if (reason !== undefined) {
        this.releaseResting(node);
        this.terminate(node, 'EXPIRED', reason);
        return;
      }
    } else if (node.quoteAmountMinor !== undefined) {
      node.remainingLots = QUANTITY_LOTS_MAX;
    }
    this.execute(node);
  }

  // ---------------------------------------------------------------- book maintenance

  private rest(node: OrderNode): void {
    const side = node.side === 'BUY' ? this.bids : this.asks;
    const level = side.findOrCreate(node.priceTicks);
    if (level.orderCount === 0) level.createdSeq = this.seq;
    node.prioritySeq = this.nextPrioritySeq++;
    node.status = node.filledLots > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    level.append(node);
    if (!node.indexed) this.index(node);
    this.touchLevel(level, node.side);
  }

  private removeFromLevel(node: OrderNode): void {
    const level = node.level as PriceLevel;
    level.totalLots -= node.remainingLots;
    level.unlink(node);
    this.touchLevel(level, node.side);
    if (level.orderCount === 0) (node.side === 'BUY' ? this.bids : this.asks).remove(level);
  }

  private cancelNode(node: OrderNode): void {
    if (node.status === 'PENDING_TRIGGER') {
      this.release(node, this.pendingLock(node));
      this.stops.remove(node);
    } else {
      this.releaseResting(node);
      this.removeFromLevel(node);
    }
    this.terminate(node, 'CANCELLED', undefined);
  }

  private index(node: OrderNode): void {
    this.orders.add(node);
    node.indexed = true;
  }

  private terminate(
    node: OrderNode,
    status: 'FILLED' | 'CANCELLED' | 'EXPIRED',
    reason: ExpiryReason | undefined,
  ): void {
    node.status = status;
    node.reason = reason;
    node.prioritySeq = 0;
    if (node.indexed) {
      this.orders.delete(node);
      node.indexed = false;
    }
    this.retired[this.retiredCount++] = node;
  }

  /** What a resting order's open part can spend: base for a sell, priceTicks x lots for a buy. */
  private restingLock(side: OrderNode['side'], priceTicks: number, remainingLots: number): bigint {
    return side === 'SELL'
      ? baseOf(remainingLots, this.baseMinorPerLot)
      : notionalOf(priceTicks, remainingLots, this.quoteMinorPerTickLot);
  }

  private pendingLock(node: OrderNode): bigint {
    if (node.side === 'SELL' || node.orderType === 'LIMIT')
      return this.restingLock(node.side, node.priceTicks, node.remainingLots);
    return (node.quoteAmountMinor ?? node.quoteCapMinor) as bigint;
  }

  // ---------------------------------------------------------------- per-command reporting

  private begin(): void {
    this.seq = ++this.eventSeq;
    this.own = null;
    this.trades = null;
    this.deltaCount = 0;
    this.traded = false;
    this.touchedCount = 0;
  }

  private touch(node: OrderNode): void {
    if (node.touchedSeq === this.seq) return;
    node.touchedSeq = this.seq;
    node.releasedMinor = 0n;
    node.releasedNumber = 0;
    if (node !== this.own) this.touched[this.touchedCount++] = node;
  }

  private release(node: OrderNode, amount: bigint): void {
    assert(amount >= 0n, 'release: negative amount');
    if (amount !== 0n)
      node.releasedMinor = node.releasedMinor === 0n ? amount : node.releasedMinor + amount;
  }

  /**
   * Releases what a resting (or about to rest) order's open part locks: base for a sell,
   * priceTicks x lots of quote for a buy. As a number while exact: see OrderNode.releasedNumber.
   */
  private releaseResting(node: OrderNode): void {
    const amount =
      node.side === 'SELL'
        ? node.remainingLots * this.baseMinorPerLot
        : node.priceTicks * node.remainingLots * this.quoteMinorPerTickLot;
    // Every factor is a non-negative integer and rounding is monotonic, so a product within the
    // safe range was computed exactly.
    if (amount <= MAX_SAFE) this.releaseNumber(node, amount);
    else this.release(node, this.restingLock(node.side, node.priceTicks, node.remainingLots));
  }

  private releaseNumber(node: OrderNode, amount: number): void {
    const sum = node.releasedNumber + amount;
    if (sum <= MAX_SAFE) {
      node.releasedNumber = sum;
    } else {
      node.releasedMinor += BigInt(node.releasedNumber) + BigInt(amount);
      node.releasedNumber = 0;
    }
  }

  /** Records the level's current total in this command's deltas, once per level. */
  private touchLevel(level: PriceLevel, side: Side): void {
    if (level.deltaSeq === this.seq) {
      this.deltaQtys[level.deltaIndex] = level.totalLots;
      return;
    }
    level.deltaSeq = this.seq;
    const count = this.deltaCount;
    if (count > 0 && level.createdSeq === this.seq) {
      // A level removed and re-created within one command reuses its first delta.
      for (let i = 0; i < count; i++) {
        if (this.deltaSides[i] === side && this.deltaPrices[i] === level.priceTicks) {
          this.deltaQtys[i] = level.totalLots;
          level.deltaIndex = i;
          return;
        }
      }
    }
    level.deltaIndex = count;
    if (count === this.deltaSides.length) {
      this.deltaSides.push(side);
      this.deltaPrices.push(level.priceTicks);
      this.deltaQtys.push(level.totalLots);
    } else {
      this.deltaSides[count] = side;
      this.deltaPrices[count] = level.priceTicks;
      this.deltaQtys[count] = level.totalLots;
    }
    this.deltaCount = count + 1;
  }

  /** This command's book deltas as result objects. */
  private bookDeltas(): readonly BookDelta[] {
    const count = this.deltaCount;
    if (count === 0) return NO_DELTAS;
    const sides = this.deltaSides;
    const prices = this.deltaPrices;
    const qtys = this.deltaQtys;
    // An array literal with its first element gets a backing store of exactly one slot.
    const deltas: BookDelta[] = [{ side: sides[0], priceTicks: prices[0], qtyLots: qtys[0] }];
    for (let i = 1; i < count; i++)
      deltas.push({ side: sides[i], priceTicks: prices[i], qtyLots: qtys[i] });
    return deltas;
  }

  private rejectNow(cmd: EngineCommand, code: ErrorCode): EngineResult {
    return rejectedResult(this.market, cmd, this.seq, code);
  }

  private finish(cmd: EngineCommand, status: ResultStatus): EngineResult {
    this.checkCommand(cmd);
    const own = this.own;
    const touched = this.touched;
    let affected: readonly OrderUpdate[] = NO_UPDATES;
    const touchedCount = this.touchedCount;
    if (touchedCount > 0) {
      const updates: OrderUpdate[] = new Array(touchedCount);
      for (let i = 0; i < touchedCount; i++) updates[i] = this.updateOf(touched[i]);
      affected = updates;
      this.touchedCount = 0;
    }
    const order = own === null ? undefined : this.updateOf(own);
    this.recycleRetired();
    return {
      commandId: cmd.commandId,
      commandType: cmd.type,
      symbol: cmd.symbol,
      eventSeq: this.seq,
      timestampMs: cmd.timestampMs,
      status,
      code: undefined,
      order,
      trades: this.trades ?? NO_TRADES,
      bookDeltas: this.bookDeltas(),
      ordersAffected: affected,
      marketStatus: undefined,
    };
  }

  /**
   * Asserts, before the command's result exists, the invariants over what it touched (see
   * command-invariants.ts): its trades, its orders, the totals of the levels it changed and the
   * top of the book. Throws EngineInvariantError on the first one broken.
   */
  private checkCommand(cmd: EngineCommand): void {
    const trades = this.trades;
    if (trades !== null) {
      for (let i = 0; i < trades.length; i++) {
        const problem = tradeProblem(trades[i]);
        if (problem !== undefined) this.broken(cmd, problem);
      }
    }
    const own = this.own;
    if (own !== null) {
      const problem = touchedOrderProblem(own);
      if (problem !== undefined) this.broken(cmd, problem);
    }
    const touched = this.touched;
    for (let i = 0; i < this.touchedCount; i++) {
      const problem = touchedOrderProblem(touched[i]);
      if (problem !== undefined) this.broken(cmd, problem);
    }
    const sides = this.deltaSides;
    const prices = this.deltaPrices;
    const qtys = this.deltaQtys;
    for (let i = 0; i < this.deltaCount; i++) {
      const problem = levelTotalProblem(sides[i], prices[i], qtys[i]);
      if (problem !== undefined) this.broken(cmd, problem);
    }
    const problem = topOfBookProblem(this.bids.best(), this.asks.best());
    if (problem !== undefined) this.broken(cmd, problem);
  }

  private broken(cmd: EngineCommand, problem: string): never {
    throw new EngineInvariantError(
      `${this.market.symbol}: command ${cmd.commandId} (eventSeq ${this.seq}) broke the book: ${problem}`,
    );
  }

  private recycleRetired(): void {
    const retired = this.retired;
    const pool = this.nodePool;
    for (let i = 0; i < this.retiredCount; i++) {
      if (pool.length < ORDER_NODE_POOL_MAX) pool.push(retired[i]);
      retired[i] = EMPTY_NODE;
    }
    this.retiredCount = 0;
  }

  private updateOf(node: OrderNode): OrderUpdate {
    const status = node.status;
    const live = status === 'NEW' || status === 'PARTIALLY_FILLED' || status === 'PENDING_TRIGGER';
    const lockRemainingMinor = !live
      ? 0n
      : status === 'PENDING_TRIGGER'
        ? this.pendingLock(node)
        : this.restingLock(node.side, node.priceTicks, node.remainingLots);
    const releasedMinor =
      node.releasedNumber === 0
        ? node.releasedMinor
        : node.releasedMinor + bigintOf(node.releasedNumber);
    return {
      orderId: node.orderId,
      clientOrderId: node.clientOrderId,
      userId: node.userId,
      side: node.side,
      orderType: node.orderType,
      status,
      reason: node.reason,
      priceTicks: node.orderType === 'LIMIT' ? node.priceTicks : undefined,
      stopPriceTicks: node.stopPriceTicks === 0 ? undefined : node.stopPriceTicks,
      originalLots: node.originalLots,
      filledLots: node.filledLots,
      remainingLots: node.remainingLots,
      quoteFilledMinor: quoteFilledOf(node),
      lockAsset: node.side === 'BUY' ? this.market.quoteAsset : this.market.baseAsset,
      lockRemainingMinor,
      releasedMinor,
      prioritySeq: node.prioritySeq,
    };
  }

  // ---------------------------------------------------------------- nodes, snapshots, checks

  private newNode(cmd: PlaceOrderCommand): OrderNode {
    const node = this.nodePool.pop() ?? new OrderNode();
    node.filledLots = 0;
    node.quoteFilledNumber = 0;
    node.quoteFilledBig = 0n;
    node.status = 'NEW';
    node.reason = undefined;
    node.prioritySeq = 0;
    node.prev = null;
    node.next = null;
    node.level = null;
    node.indexed = false;
    node.touchedSeq = 0;
    node.releasedMinor = 0n;
    node.releasedNumber = 0;
    node.orderId = cmd.orderId;
    node.userId = cmd.userId;
    node.clientOrderId = cmd.clientOrderId;
    // Store the literals rather than the command's strings: comparisons against literals elsewhere
    // then match by identity instead of by content (strings from JSON are not internalized).
    node.side = cmd.side === 'BUY' ? 'BUY' : 'SELL';
    node.orderType = cmd.orderType === 'LIMIT' ? 'LIMIT' : 'MARKET';
    node.timeInForce = internTimeInForce(cmd.timeInForce, node.orderType);
    node.postOnly = cmd.postOnly === true;
    node.stpMode = internStpMode(cmd.stpMode);
    node.priceTicks = cmd.priceTicks ?? 0;
    node.stopPriceTicks = cmd.stopPriceTicks ?? 0;
    node.quoteAmountMinor = cmd.quoteAmountMinor;
    node.quoteCapMinor = cmd.orderType === 'MARKET' ? cmd.quoteCapMinor : undefined;
    if (cmd.quoteAmountMinor !== undefined) {
      // By quote: no quantity target; the budget stops it. Pending stops show zero lots.
      node.originalLots = 0;
      node.remainingLots = cmd.stopPriceTicks === undefined ? QUANTITY_LOTS_MAX : 0;
    } else {
      node.originalLots = cmd.qtyLots as number;
      node.remainingLots = cmd.qtyLots as number;
    }
    return node;
  }

  snapshot(): BookSnapshot {
    const sideOrders = (side: BookSide): OpenOrder[] => {
      const out: OpenOrder[] = [];
      for (let i = side.levels.length - 1; i >= 0; i--) {
        for (let node = side.levels[i].head; node !== null; node = node.next)
          out.push(toOpenOrder(node));
      }
      return out;
    };
    const stops = [...this.stops.buys, ...this.stops.sells].sort(
      (a, b) => a.prioritySeq - b.prioritySeq,
    );
    return {
      symbol: this.market.symbol,
      status: this.status,
      eventSeq: this.eventSeq,
      tradeSeq: this.tradeSeq,
      lastTradePriceTicks: this.lastTradePriceTicks,
      nextPrioritySeq: this.nextPrioritySeq,
      bids: sideOrders(this.bids),
      asks: sideOrders(this.asks),
      stops: stops.map(toOpenOrder),
    };
  }

  private restore(snapshot: BookSnapshot): void {
    assert(
      snapshot.symbol === this.market.symbol,
      `restore: snapshot of ${snapshot.symbol} into ${this.market.symbol}`,
    );
    this.status = snapshot.status;
    this.eventSeq = snapshot.eventSeq;
    this.tradeSeq = snapshot.tradeSeq;
    this.lastTradePriceTicks = snapshot.lastTradePriceTicks;
    this.nextPrioritySeq = snapshot.nextPrioritySeq;
    for (const row of [...snapshot.bids, ...snapshot.asks]) {
      assert(row.status !== 'PENDING_TRIGGER', `restore: ${row.orderId} in the book is pending`);
      const node = fromOpenOrder(row);
      const side = node.side === 'BUY' ? this.bids : this.asks;
      side.findOrCreate(node.priceTicks).append(node);
      assert(!this.orders.has(node.orderId), `restore: duplicate order ${node.orderId}`);
      this.index(node);
    }
    for (const row of snapshot.stops) {
      assert(row.status === 'PENDING_TRIGGER', `restore: stop ${row.orderId} is not pending`);
      const node = fromOpenOrder(row);
      assert(!this.orders.has(node.orderId), `restore: duplicate order ${node.orderId}`);
      this.index(node);
      this.stops.add(node);
    }
    this.validateInternalState();
  }

  validateInternalState(): void {
    validateBookState(this);
  }
}

function internTimeInForce(value: TimeInForce | undefined, orderType: OrderType): TimeInForce {
  if (value === 'IOC' || (value === undefined && orderType === 'MARKET')) return 'IOC';
  return value === 'FOK' ? 'FOK' : 'GTC';
}

function internStpMode(value: StpMode | undefined): StpMode {
  switch (value) {
    case 'EXPIRE_TAKER':
      return 'EXPIRE_TAKER';
    case 'EXPIRE_MAKER':
      return 'EXPIRE_MAKER';
    case 'EXPIRE_BOTH':
      return 'EXPIRE_BOTH';
    default:
      return 'NONE';
  }
}

/** An order's cumulative quote traded, exactly. */
function quoteFilledOf(node: OrderNode): bigint {
  const filled = bigintOf(node.quoteFilledNumber);
  return node.quoteFilledBig === 0n ? filled : node.quoteFilledBig + filled;
}

/** Adds one trade's quote (as a number when `safe`, else as the bigint) to an order's total. */
function addQuoteFilled(node: OrderNode, quoteNumber: number, safe: boolean, quote: bigint): void {
  if (safe) {
    const sum = node.quoteFilledNumber + quoteNumber;
    if (sum <= MAX_SAFE) {
      node.quoteFilledNumber = sum;
      return;
    }
  }
  node.quoteFilledBig += quote;
}

function placeStatus(node: OrderNode): ResultStatus {
  switch (node.status) {
    case 'FILLED':
      return 'FILLED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'PARTIALLY_FILLED':
      return 'PARTIALLY_FILLED';
    default:
      return 'ACCEPTED';
  }
}

function expiryReason(end: MatchEnd): ExpiryReason {
  if (end === MatchEnd.SelfTrade) return ExpiryReason.SELF_TRADE_PREVENTION;
  if (end === MatchEnd.Budget) return ExpiryReason.QUOTE_CAP_REACHED;
  return ExpiryReason.UNFILLED_REMAINDER;
}

function toOpenOrder(node: OrderNode): OpenOrder {
  const row: OpenOrder = {
    orderId: node.orderId,
    userId: node.userId,
    side: node.side,
    orderType: node.orderType,
    timeInForce: node.timeInForce,
    postOnly: node.postOnly,
    stpMode: node.stpMode,
    status: node.status as OpenOrder['status'],
    originalLots: node.originalLots,
    filledLots: node.filledLots,
    remainingLots: node.remainingLots,
    quoteFilledMinor: quoteFilledOf(node),
    prioritySeq: node.prioritySeq,
  };
  if (node.clientOrderId !== undefined) row.clientOrderId = node.clientOrderId;
  if (node.orderType === 'LIMIT') row.priceTicks = node.priceTicks;
  if (node.stopPriceTicks !== 0) row.stopPriceTicks = node.stopPriceTicks;
  if (node.quoteAmountMinor !== undefined) row.quoteAmountMinor = node.quoteAmountMinor;
  if (node.quoteCapMinor !== undefined) row.quoteCapMinor = node.quoteCapMinor;
  return row;
}

function fromOpenOrder(row: OpenOrder): OrderNode {
  const node = new OrderNode();
  node.orderId = row.orderId;
  node.idHash = hashString(row.orderId);
  node.userId = row.userId;
  node.clientOrderId = row.clientOrderId;
  node.side = row.side;
  node.orderType = row.orderType;
  node.timeInForce = row.timeInForce;
  node.postOnly = row.postOnly;
  node.stpMode = row.stpMode;
  node.status = row.status;
  node.priceTicks = row.priceTicks ?? 0;
  node.stopPriceTicks = row.stopPriceTicks ?? 0;
  node.originalLots = row.originalLots;
  node.filledLots = row.filledLots;
  node.remainingLots = row.remainingLots;
  if (row.quoteFilledMinor <= MAX_SAFE_BIGINT)
    node.quoteFilledNumber = Number(row.quoteFilledMinor);
  else node.quoteFilledBig = row.quoteFilledMinor;
  node.quoteAmountMinor = row.quoteAmountMinor;
  node.quoteCapMinor = row.quoteCapMinor;
  node.prioritySeq = row.prioritySeq;
  return node;
}
