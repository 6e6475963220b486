import type { DbOrderStatus } from './order-status';

/**
 * Value of a record on `exchange.user-updates` (key = userId), written by settlement to the
 * outbox in the same transaction as the changes it reports: one record per user per settlement
 * transaction, with the final state of each of the user's orders and balances that changed.
 * Amounts are decimal strings of minor units; market-data pushes them on the user's private
 * channel. Versioned by the `x-schema-version` header like every other record.
 */
export interface UserUpdate {
  readonly type: 'settlement';
  readonly userId: string;
  readonly orders: readonly UserOrderUpdate[];
  readonly balances: readonly UserBalanceUpdate[];
}

export interface UserOrderUpdate {
  readonly orderId: string;
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly status: DbOrderStatus;
  readonly filledLots: number;
  readonly filledQuoteMinor: string;
  readonly lockedMinor: string;
  readonly eventSeq: number;
  readonly timestampMs: number;
}

export interface UserBalanceUpdate {
  readonly asset: string;
  readonly availableMinor: string;
  readonly lockedMinor: string;
}
