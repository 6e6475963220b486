import { decimalAmountProblem } from '../../http/decimal-amount.decorator';
import {
  CLIENT_ORDER_ID_PATTERN,
  ORDER_TYPES,
  SIDES,
  STP_MODES,
  SYMBOL_PATTERN,
  TIMES_IN_FORCE,
} from '../place-order/place-order.dto';
import type { PlaceOrderInput } from '@app/order-entry';
import { BATCH_ORDERS_MAX } from '../orders.constants';

/** A batch body that passed validation: the entries as the handler takes them. */
export interface PlaceBatchBody {
  readonly orders: readonly PlaceOrderInput[];
}

const oneOf = (values: readonly string[]) => (value: unknown) =>
  typeof value === 'string' && values.includes(value);
const matching = (pattern: RegExp) => (value: unknown) =>
  typeof value === 'string' && pattern.test(value);
const decimal = (value: unknown) => decimalAmountProblem(value) === null;

// The constraints of PlaceOrderDto, field by field, written out by hand: the same patterns,
// lists and decimal check the DTO's decorators use (imported from it, so they cannot drift).
// Server-assigned (forbidden) fields are left out on purpose: they make an entry not plain.
const REQUIRED_FIELDS: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ['symbol', matching(SYMBOL_PATTERN)],
  ['side', oneOf(SIDES)],
  ['type', oneOf(ORDER_TYPES)],
]);
const OPTIONAL_FIELDS: ReadonlyMap<string, (value: unknown) => boolean> = new Map([
  ['timeInForce', oneOf(TIMES_IN_FORCE)],
  ['postOnly', (value: unknown) => typeof value === 'boolean'],
  ['stp', oneOf(STP_MODES)],
  ['price', decimal],
  ['stopPrice', decimal],
  ['quantity', decimal],
  ['quoteAmount', decimal],
  ['maxQuote', decimal],
  ['clientOrderId', matching(CLIENT_ORDER_ID_PATTERN)],
]);

/** An object as JSON.parse makes it: its prototype is an Object.prototype (of any realm). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype !== null && Object.getPrototypeOf(prototype) === null;
}

function isPlainEntry(entry: unknown): entry is PlaceOrderInput {
  if (!isPlainObject(entry)) return false;
  let required = 0;
  for (const key of Object.keys(entry)) {
    const value = entry[key];
    const requiredCheck = REQUIRED_FIELDS.get(key);
    if (requiredCheck !== undefined) {
      if (!requiredCheck(value)) return false;
      required += 1;
      continue;
    }
    // null passes an optional field in the DTO, but it is rare enough to leave to the slow path.
    const optionalCheck = OPTIONAL_FIELDS.get(key);
    if (optionalCheck === undefined || value === null || !optionalCheck(value)) return false;
  }
  return required === REQUIRED_FIELDS.size;
}

/**
 * The batch body when it is plainly valid, else undefined. "Plainly valid" is strictly
 * narrower than what the DTO (PlaceBatchDto under the global validation pipe) accepts: an
 * object with only `orders`, 1 to BATCH_ORDERS_MAX plain entries, each with only known,
 * non-null, valid fields. Anything else, every invalid body included, is left to the DTO, so
 * errors keep exactly their codes, messages and statuses. It exists because class-validator
 * over a thousand nested DTOs costs more than the rest of the request's handling in Node.
 */
export function plainBatchBody(body: unknown): PlaceBatchBody | undefined {
  if (!isPlainObject(body)) return undefined;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'orders') return undefined;
  const { orders } = body;
  if (!Array.isArray(orders) || orders.length < 1 || orders.length > BATCH_ORDERS_MAX) {
    return undefined;
  }
  for (const entry of orders as unknown[]) if (!isPlainEntry(entry)) return undefined;
  return { orders: orders as PlaceOrderInput[] };
}
