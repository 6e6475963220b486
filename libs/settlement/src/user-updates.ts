import type { DbOrderStatus } from './order-status';

/**
 * Most orders one user-updates record carries. A user whose orders a settlement transaction
 * changes by the thousand (a cancel-all of a market maker's book) gets several records: one
 * record of every order would outgrow the broker's 1 MB record limit (an order update is about
 * 300 bytes of JSON), and the outbox relay could never send it. 500 is about 150 KB.
 */
export const USER_UPDATE_ORDERS_MAX = 500;

/**
 * Value of a record on `exchange.user-updates` (key = userId), written by settlement to the
 * outbox in the same transaction as the changes it reports: one record per user per settlement
 * transaction (several, of at most USER_UPDATE_ORDERS_MAX orders each, for a user with more
 * changed orders; the balances ride on the last), with the final state of each of the user's
 * orders and balances that changed.
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
