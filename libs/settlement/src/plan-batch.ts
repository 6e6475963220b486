// The pure half of TX2: what a run of engine results does to trades, orders, balances and the
// ledger, computed in memory with no I/O so that it can be unit tested amount by amount. The
// SQL half (apply-batch.ts) writes the plan in one transaction.
import { createHash } from 'node:crypto';
import { assert, type EngineResult, type OrderUpdate, type Trade } from '@app/domain';
import { dbOrderStatus, type DbOrderStatus } from './order-status';

export type LedgerAccount = 'AVAILABLE' | 'LOCKED' | 'FEES';
export type LedgerReason = 'TRADE' | 'FEE' | 'UNLOCK';

export interface LedgerEntry {
  readonly journalId: string;
  readonly userId: string;
  readonly account: LedgerAccount;
  readonly asset: string;
  readonly amountMinor: bigint;
  readonly reason: LedgerReason;
  readonly refType: 'TRADE' | 'ORDER';
  readonly refId: string;
}

export interface TradeRow {
  readonly symbol: string;
  readonly trade: Trade;
  readonly executedAtMs: number;
}

/** The last state of one order in the batch and what the batch took from its lock. */
export interface OrderChange {
  readonly orderId: string;
  readonly userId: string;
  readonly symbol: string;
  readonly clientOrderId: string | undefined;
  status: DbOrderStatus;
  filledLots: number;
  filledQuoteMinor: bigint;
  lockRemainingMinor: bigint;
  bookSeq: number | null;
  rejectCode: string | null;
  expiryReason: string | null;
  /** Lock spent in this batch's trades (quote for a buy, base for a sell). */
  spentMinor: bigint;
  /** Lock released by this batch's results (the sum of releasedMinor). */
  releasedMinor: bigint;
  /** Fees this order paid in this batch, in the asset it received. */
  feeMinor: bigint;
  eventSeq: number;
  timestampMs: number;
}

export interface BalanceDelta {
  readonly userId: string;
  readonly asset: string;
  availableMinor: bigint;
  lockedMinor: bigint;
}

export interface SettlementPlan {
  readonly trades: TradeRow[];
  /** By order id, in first-touch order. */
  readonly orders: Map<string, OrderChange>;
  /** By `userId asset`, in first-touch order (the order a naive writer would lock them in). */
  readonly balances: Map<string, BalanceDelta>;
  readonly ledger: LedgerEntry[];
}

/**
 * A journal id derived from a batch's first result, so that the same batch always writes the same
 * journal (a second application would show as a repeated journal id, not as a new random one).
 */
export function journalIdOf(result: EngineResult): string {
  const hex = createHash('sha256')
    .update(`settlement:${result.symbol}:${result.eventSeq}:${result.commandId}`)
    .digest('hex');
  // Shaped as a version 8 (custom) RFC 9562 UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The ledger reference of a trade: unique, because (symbol, tradeSeq) is. */
export function tradeRef(symbol: string, tradeSeq: number): string {
  return `${symbol}:${tradeSeq}`;
}

/**
 * Plans the application of `results` (in log order, already past the checkpoint and the fencing
 * check) on behalf of the fee account owner `feesUserId`. Per trade (fees in the asset each party
 * receives): buyer LOCKED quote -quote, AVAILABLE base +(base - buyerFee); seller LOCKED base
 * -base, AVAILABLE quote +(quote - sellerFee); FEES base +buyerFee, FEES quote +sellerFee. Per
 * order update with releasedMinor r > 0: LOCKED -r, AVAILABLE +r of its lock asset (UNLOCK).
 * Every entry references its trade (`symbol:tradeSeq`) or order; all entries of the batch form
 * one journal (the settlement transaction), which sums to zero per asset because each trade's
 * and each release's entries do. One journal per batch rather than per result keeps the ledger's
 * commit-time balance check at one indexed sum per transaction.
 */
export function planBatch(results: readonly EngineResult[], feesUserId: string): SettlementPlan {
  const plan: SettlementPlan = { trades: [], orders: new Map(), balances: new Map(), ledger: [] };
  const journalId = results.length > 0 ? journalIdOf(results[0]) : '';
  for (const result of results) planResult(plan, result, feesUserId, journalId);
  assertPlanComplete(plan);
  return plan;
}

function planResult(
  plan: SettlementPlan,
  result: EngineResult,
  feesUserId: string,
  journalId: string,
): void {
  if (result.status === 'DUPLICATE') return;
  for (const trade of result.trades) planTrade(plan, result, trade, journalId, feesUserId);
  if (result.order !== undefined) planOrder(plan, result, result.order, journalId);
  for (const update of result.ordersAffected) planOrder(plan, result, update, journalId);
}

function planTrade(
  plan: SettlementPlan,
  result: EngineResult,
  trade: Trade,
  journalId: string,
  feesUserId: string,
): void {
  assert(trade.quoteMinor > 0n && trade.baseMinor > 0n, 'a trade moves a positive amount');
  const takerBuys = trade.takerSide === 'BUY';
  const buyer = takerBuys ? trade.takerUserId : trade.makerUserId;
  const seller = takerBuys ? trade.makerUserId : trade.takerUserId;
  const buyerOrder = takerBuys ? trade.takerOrderId : trade.makerOrderId;
  const sellerOrder = takerBuys ? trade.makerOrderId : trade.takerOrderId;
  const buyerFee = takerBuys ? trade.takerFeeMinor : trade.makerFeeMinor;
  const sellerFee = takerBuys ? trade.makerFeeMinor : trade.takerFeeMinor;
  // Fees are charged in what each party receives: the buyer's fee asset is the base asset.
  const base = takerBuys ? trade.takerFeeAsset : trade.makerFeeAsset;
  const quote = takerBuys ? trade.makerFeeAsset : trade.takerFeeAsset;
  assert(base !== quote, 'a trade has distinct base and quote fee assets');
  assert(buyerFee >= 0n && buyerFee <= trade.baseMinor, 'buyer fee within what the buyer receives');
  assert(
    sellerFee >= 0n && sellerFee <= trade.quoteMinor,
    'seller fee within what the seller receives',
  );

  plan.trades.push({ symbol: result.symbol, trade, executedAtMs: result.timestampMs });
  const ref = tradeRef(result.symbol, trade.tradeSeq);
  const entry = (
    userId: string,
    account: LedgerAccount,
    asset: string,
    amountMinor: bigint,
    reason: LedgerReason,
  ) => {
    if (amountMinor !== 0n)
      plan.ledger.push({
        journalId,
        userId,
        account,
        asset,
        amountMinor,
        reason,
        refType: 'TRADE',
        refId: ref,
      });
  };
  entry(buyer, 'LOCKED', quote, -trade.quoteMinor, 'TRADE');
  entry(seller, 'AVAILABLE', quote, trade.quoteMinor - sellerFee, 'TRADE');
  entry(feesUserId, 'FEES', quote, sellerFee, 'FEE');
  entry(seller, 'LOCKED', base, -trade.baseMinor, 'TRADE');
  entry(buyer, 'AVAILABLE', base, trade.baseMinor - buyerFee, 'TRADE');
  entry(feesUserId, 'FEES', base, buyerFee, 'FEE');

  balance(plan, buyer, quote).lockedMinor -= trade.quoteMinor;
  balance(plan, seller, base).lockedMinor -= trade.baseMinor;
  balance(plan, seller, quote).availableMinor += trade.quoteMinor - sellerFee;
  balance(plan, buyer, base).availableMinor += trade.baseMinor - buyerFee;

  spend(plan, buyerOrder, buyer, result, trade.quoteMinor, buyerFee);
  spend(plan, sellerOrder, seller, result, trade.baseMinor, sellerFee);
}

function planOrder(
  plan: SettlementPlan,
  result: EngineResult,
  update: OrderUpdate,
  journalId: string,
): void {
  assert(update.releasedMinor >= 0n && update.lockRemainingMinor >= 0n, 'lock amounts are >= 0');
  const change = orderChange(plan, update.orderId, update.userId, result, update.clientOrderId);
  change.status = dbOrderStatus(update.status);
  change.filledLots = update.filledLots;
  change.filledQuoteMinor = update.quoteFilledMinor;
  change.lockRemainingMinor = update.lockRemainingMinor;
  change.bookSeq = update.prioritySeq > 0 ? update.prioritySeq : null;
  change.rejectCode = update.status === 'REJECTED' ? (result.code ?? 'REJECTED') : null;
  change.expiryReason = update.status === 'EXPIRED' ? (update.reason ?? null) : null;
  change.eventSeq = result.eventSeq;
  change.timestampMs = result.timestampMs;
  if (update.releasedMinor === 0n) return;
  change.releasedMinor += update.releasedMinor;
  const delta = balance(plan, update.userId, update.lockAsset);
  delta.lockedMinor -= update.releasedMinor;
  delta.availableMinor += update.releasedMinor;
  const common = {
    journalId,
    userId: update.userId,
    asset: update.lockAsset,
    reason: 'UNLOCK' as const,
  };
  plan.ledger.push(
    {
      ...common,
      account: 'LOCKED',
      amountMinor: -update.releasedMinor,
      refType: 'ORDER',
      refId: update.orderId,
    },
    {
      ...common,
      account: 'AVAILABLE',
      amountMinor: update.releasedMinor,
      refType: 'ORDER',
      refId: update.orderId,
    },
  );
}

function spend(
  plan: SettlementPlan,
  orderId: string,
  userId: string,
  result: EngineResult,
  spentMinor: bigint,
  feeMinor: bigint,
): void {
  const change = orderChange(plan, orderId, userId, result, undefined);
  change.spentMinor += spentMinor;
  change.feeMinor += feeMinor;
}

function orderChange(
  plan: SettlementPlan,
  orderId: string,
  userId: string,
  result: EngineResult,
  clientOrderId: string | undefined,
): OrderChange {
  let change = plan.orders.get(orderId);
  if (change === undefined) {
    change = {
      orderId,
      userId,
      symbol: result.symbol,
      clientOrderId,
      // Placeholder state: every order a trade touches also gets an update in the same result.
      status: 'OPEN',
      filledLots: -1,
      filledQuoteMinor: 0n,
      lockRemainingMinor: 0n,
      bookSeq: null,
      rejectCode: null,
      expiryReason: null,
      spentMinor: 0n,
      releasedMinor: 0n,
      feeMinor: 0n,
      eventSeq: result.eventSeq,
      timestampMs: result.timestampMs,
    };
    plan.orders.set(orderId, change);
  }
  assert(change.userId === userId, `order ${orderId} changes owner within a batch`);
  return change;
}

function balance(plan: SettlementPlan, userId: string, asset: string): BalanceDelta {
  const key = `${userId} ${asset}`;
  let delta = plan.balances.get(key);
  if (delta === undefined) {
    delta = { userId, asset, availableMinor: 0n, lockedMinor: 0n };
    plan.balances.set(key, delta);
  }
  return delta;
}

/** Asserts that every order a trade touched also received its state (filledLots was set). */
export function assertPlanComplete(plan: SettlementPlan): void {
  for (const change of plan.orders.values()) {
    assert(
      change.filledLots >= 0,
      `order ${change.orderId} traded but no update carried its state`,
    );
  }
}
