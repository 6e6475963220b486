import { SCHEMA_VERSION, TOPICS } from '../topics';

/**
 * The contract of `exchange.user-updates`: settlement produces it (through the outbox, in the
 * transaction that made the changes), market-data is to consume it and push each record on the
 * user's private channel. Both import it from here, so neither imports the other.
 *
 * - Name and key: USER_UPDATES_TOPIC_SPEC, `exchange.user-updates` keyed by userId, so the
 *   records of one user stay in order in one partition.
 * - Headers: those of every outbox record (`x-schema-version`, `x-request-id` when known).
 * - Schema version: USER_UPDATES_SCHEMA_VERSION; a consumer checks it with
 *   `assertKnownSchemaVersion` before `decodeUserUpdate`.
 */
export const USER_UPDATES_TOPIC_SPEC = TOPICS.userUpdates;

/** The value schema version of user-updates records written now. */
export const USER_UPDATES_SCHEMA_VERSION = SCHEMA_VERSION;

/**
 * Most orders one user-updates record carries. A user whose orders a settlement transaction
 * changes by the thousand (a cancel-all of a market maker's book) gets several records: one
 * record of every order would outgrow the broker's 1 MB record limit (an order update is about
 * 300 bytes of JSON), and the outbox relay could never send it. 500 is about 150 KB.
 */
export const USER_UPDATE_ORDERS_MAX = 500;

/** The statuses an order update reports (the `orders.status` values settlement writes). */
export type UserOrderStatus =
  'PENDING_TRIGGER' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'REJECTED';

const ORDER_STATUSES: ReadonlySet<string> = new Set<UserOrderStatus>([
  'PENDING_TRIGGER',
  'OPEN',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELLED',
  'EXPIRED',
  'REJECTED',
]);

/**
 * Value of a record on `exchange.user-updates`: one record per user per settlement transaction
 * (several, of at most USER_UPDATE_ORDERS_MAX orders each, for a user with more changed orders;
 * the balances ride on the last), with the final state of each of the user's orders and
 * balances that changed. Amounts are decimal strings of minor units.
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
  readonly status: UserOrderStatus;
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

/**
 * The record value as the outbox stores it (a JSON object; the relay serializes it). The update
 * is already its wire shape, so this only fixes the type at the producer's side.
 */
export function encodeUserUpdate(update: UserUpdate): object {
  return update;
}

const MINOR = /^-?[0-9]+$/;

function fail(what: string): never {
  throw new Error(`malformed user update: ${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function orderUpdate(value: unknown, index: number): UserOrderUpdate {
  if (!isObject(value)) fail(`orders[${index}]`);
  const o = value;
  const ok =
    typeof o.orderId === 'string' &&
    (o.clientOrderId === null || typeof o.clientOrderId === 'string') &&
    typeof o.symbol === 'string' &&
    typeof o.status === 'string' &&
    ORDER_STATUSES.has(o.status) &&
    Number.isSafeInteger(o.filledLots) &&
    typeof o.filledQuoteMinor === 'string' &&
    MINOR.test(o.filledQuoteMinor) &&
    typeof o.lockedMinor === 'string' &&
    MINOR.test(o.lockedMinor) &&
    Number.isSafeInteger(o.eventSeq) &&
    Number.isSafeInteger(o.timestampMs);
  if (!ok) fail(`orders[${index}]`);
  return o as unknown as UserOrderUpdate;
}

function balanceUpdate(value: unknown, index: number): UserBalanceUpdate {
  if (
    !isObject(value) ||
    typeof value.asset !== 'string' ||
    typeof value.availableMinor !== 'string' ||
    !MINOR.test(value.availableMinor) ||
    typeof value.lockedMinor !== 'string' ||
    !MINOR.test(value.lockedMinor)
  ) {
    fail(`balances[${index}]`);
  }
  return value as unknown as UserBalanceUpdate;
}

/**
 * Parses and checks a record value; throws on anything that is not a UserUpdate of this schema
 * version (a bug or a foreign producer, never a retry case).
 */
export function decodeUserUpdate(value: Buffer | string): UserUpdate {
  const json: unknown = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  if (!isObject(json) || json.type !== 'settlement' || typeof json.userId !== 'string') {
    fail('type or userId');
  }
  if (!Array.isArray(json.orders) || !Array.isArray(json.balances)) fail('orders or balances');
  if (json.orders.length > USER_UPDATE_ORDERS_MAX) fail('more than USER_UPDATE_ORDERS_MAX orders');
  return {
    type: 'settlement',
    userId: json.userId,
    orders: json.orders.map(orderUpdate),
    balances: json.balances.map(balanceUpdate),
  };
}
