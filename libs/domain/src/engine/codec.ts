// JSON forms of commands, results and snapshots. Bigint fields (minor units) become decimal
// strings, undefined fields are left out; decoding turns those strings back into bigints. The
// field names that carry bigints are listed once, here.
import { EngineCommand } from './commands';
import { EngineSnapshot } from './matching-engine';
import { EngineResult } from './results';

/** Every field name whose value is a bigint amount in minor units. */
export const BIGINT_FIELDS: ReadonlySet<string> = new Set([
  'quoteAmountMinor',
  'quoteCapMinor',
  'lockAddMinor',
  'quoteMinor',
  'baseMinor',
  'makerFeeMinor',
  'takerFeeMinor',
  'quoteFilledMinor',
  'lockRemainingMinor',
  'releasedMinor',
]);

const INTEGER_TEXT = /^-?\d{1,40}$/;

/** A JSON value: what JSON.stringify writes and JSON.parse reads. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function toJson(value: unknown, key: string): Json | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'bigint') {
    if (!BIGINT_FIELDS.has(key)) throw new TypeError(`codec: bigint in unlisted field "${key}"`);
    return value.toString();
  }
  if (typeof value !== 'object' || value === null) return value as Json;
  if (Array.isArray(value)) {
    const items: Json[] = new Array<Json>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = toJson(value[i], key) ?? null;
    return items;
  }
  // for...in over these plain data objects (no prototype fields) without Object.entries'
  // arrays: every result of the engine goes through here on the leader's hot path.
  const out: { [key: string]: Json } = {};
  const record = value as Record<string, unknown>;
  for (const name in record) {
    const converted = toJson(record[name], name);
    if (converted !== undefined) out[name] = converted;
  }
  return out;
}

function fromJson(value: unknown, key: string): unknown {
  if (typeof value === 'string')
    return BIGINT_FIELDS.has(key) && INTEGER_TEXT.test(value) ? BigInt(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = fromJson(value[i], key);
    return items;
  }
  // JSON.parse output: plain objects with own properties only. Settlement decodes every result
  // through here.
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const name in record) out[name] = fromJson(record[name], name);
  return out;
}

/** A command as JSON-safe data (bigints as decimal strings). */
export function encodeCommand(command: EngineCommand): Json {
  return toJson(command, '') as Json;
}

const amountOf = (value: unknown): unknown =>
  typeof value === 'string' && INTEGER_TEXT.test(value) ? BigInt(value) : value;

/**
 * A command from JSON data, in a canonical shape: every field of its type present (undefined when
 * absent) in one fixed order, so all commands of a type share one hidden class and the engine's
 * property reads stay monomorphic. Shapes are not checked here: the engine validates every
 * command and rejects a malformed one with INVALID_COMMAND (a bigint field that is not an integer
 * string stays a string and fails that validation). Unknown fields are dropped.
 */
export function decodeCommand(json: unknown): EngineCommand {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return json as EngineCommand;
  const o = json as Record<string, unknown>;
  switch (o.type) {
    case 'place':
      return {
        type: 'place',
        commandId: o.commandId,
        timestampMs: o.timestampMs,
        userId: o.userId,
        symbol: o.symbol,
        orderId: o.orderId,
        clientOrderId: o.clientOrderId,
        side: o.side,
        orderType: o.orderType,
        timeInForce: o.timeInForce,
        postOnly: o.postOnly,
        stpMode: o.stpMode,
        priceTicks: o.priceTicks,
        qtyLots: o.qtyLots,
        quoteAmountMinor: amountOf(o.quoteAmountMinor),
        quoteCapMinor: amountOf(o.quoteCapMinor),
        stopPriceTicks: o.stopPriceTicks,
      } as EngineCommand;
    case 'cancel':
      return {
        type: 'cancel',
        commandId: o.commandId,
        timestampMs: o.timestampMs,
        userId: o.userId,
        symbol: o.symbol,
        orderId: o.orderId,
      } as EngineCommand;
    case 'amend':
      return {
        type: 'amend',
        commandId: o.commandId,
        timestampMs: o.timestampMs,
        userId: o.userId,
        symbol: o.symbol,
        orderId: o.orderId,
        priceTicks: o.priceTicks,
        qtyLots: o.qtyLots,
        lockAddMinor: amountOf(o.lockAddMinor),
      } as EngineCommand;
    case 'setMarketStatus':
      return {
        type: 'setMarketStatus',
        commandId: o.commandId,
        timestampMs: o.timestampMs,
        userId: o.userId,
        symbol: o.symbol,
        status: o.status,
      } as EngineCommand;
    case 'cancelAll':
      return {
        type: 'cancelAll',
        commandId: o.commandId,
        timestampMs: o.timestampMs,
        userId: o.userId,
        symbol: o.symbol,
      } as EngineCommand;
    default:
      return fromJson(json, '') as EngineCommand;
  }
}

export function encodeResult(result: EngineResult): Json {
  return toJson(result, '') as Json;
}

/** Fields left out of the JSON come back as absent (undefined). */
export function decodeResult(json: unknown): EngineResult {
  return fromJson(json, '') as EngineResult;
}

export function encodeSnapshot(snapshot: EngineSnapshot): Json {
  return toJson(snapshot, '') as Json;
}

export function decodeSnapshot(json: unknown): EngineSnapshot {
  return fromJson(json, '') as EngineSnapshot;
}
