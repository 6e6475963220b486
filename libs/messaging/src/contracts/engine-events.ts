import { decodeResult, encodeResult, type EngineResult, type Json } from '@app/domain';

/**
 * Value schemas of what the matching engine produces. The engine (producer) and settlement and
 * market-data (consumers) import them from here; a breaking change bumps SCHEMA_VERSION.
 */

/**
 * One engine result, stamped with the shard and the fencing token of the leadership that
 * produced it. Settlement rejects a token lower than the highest it has seen for the shard.
 */
export interface EngineResultEnvelope {
  readonly shard: number;
  /** The leader's fencing token, a decimal string of a bigint. */
  readonly fencingToken: string;
  readonly result: EngineResult;
  /** The request id of the command's HTTP request, for log correlation (packed records). */
  readonly requestId?: string;
}

/**
 * The engine writes `exchange.engine.results` records of two shapes, and every reader accepts
 * both (decodeEngineResultRecord):
 *
 * - one envelope: `{shard, fencingToken, result}`, key = symbol, headers x-command-id and
 *   x-request-id (the original shape; tests and tools still write it);
 * - a packed run: `{shard, fencingToken, results: [{result, requestId?}, ...]}`: the results of
 *   consecutive commands of one partition in one engine transaction, in command order, at most
 *   about ENGINE_SEND_BYTES_MAX per record. Per-record encoding is most of a Kafka producer's
 *   cost; packing makes it per transaction instead of per command.
 *
 * Either way the record's offset is the unit settlement checkpoints, so a packed record is
 * settled all at once or not at all.
 */
export function packEngineResults(
  shard: number,
  fencingToken: string,
  encodedEntries: readonly string[],
): Buffer {
  return Buffer.from(
    `{"shard":${shard},"fencingToken":${JSON.stringify(fencingToken)},"results":[${encodedEntries.join(',')}]}`,
    'utf8',
  );
}

/** One entry of a packed record, as JSON text (its length sizes the record). */
export function encodePackedResult(result: EngineResult, requestId?: string): string {
  const json = JSON.stringify(encodeResult(result));
  return requestId === undefined
    ? `{"result":${json}}`
    : `{"requestId":${JSON.stringify(requestId)},"result":${json}}`;
}

/** The envelopes of one results record, of either shape, in command order. */
export function decodeEngineResultRecord(value: Buffer | string): EngineResultEnvelope[] {
  const json = parseStamped(value);
  if (!Array.isArray(json.results)) return [envelopeOf(json, json.result)];
  return (json.results as { requestId?: unknown; result?: Json }[]).map((entry) => {
    if (entry === null || typeof entry !== 'object')
      throw new Error('malformed packed engine results: entry');
    if (entry.requestId !== undefined && typeof entry.requestId !== 'string')
      throw new Error('malformed packed engine results: requestId');
    return envelopeOf(json, entry.result, entry.requestId);
  });
}

/** The commandIds of one results record, of either shape, without decoding the results. */
export function engineResultCommandIds(value: Buffer | string): string[] {
  const json = parseStamped(value);
  const results = Array.isArray(json.results)
    ? (json.results as { result?: { commandId?: unknown } }[]).map((entry) => entry?.result)
    : [json.result as { commandId?: unknown } | undefined];
  return results
    .map((result) => result?.commandId)
    .filter((id): id is string => typeof id === 'string');
}

function parseStamped(value: Buffer | string): Record<string, unknown> {
  const json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as Record<
    string,
    unknown
  >;
  if (
    json === null ||
    !Number.isSafeInteger(json.shard) ||
    typeof json.fencingToken !== 'string' ||
    !/^\d+$/.test(json.fencingToken)
  ) {
    throw new Error('malformed engine result envelope: shard or fencingToken');
  }
  return json;
}

function envelopeOf(
  json: Record<string, unknown>,
  result: unknown,
  requestId?: string,
): EngineResultEnvelope {
  const envelope = {
    shard: json.shard as number,
    fencingToken: json.fencingToken as string,
    result: decodeResult(result as Json),
  };
  return requestId === undefined ? envelope : { ...envelope, requestId };
}

export function encodeEngineResultEnvelope(envelope: EngineResultEnvelope): Buffer {
  const json = {
    shard: envelope.shard,
    fencingToken: envelope.fencingToken,
    result: encodeResult(envelope.result),
  };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/** One public trade, in display units for market data. */
export interface PublicTrade {
  readonly symbol: string;
  /** Per-market trade sequence: consecutive, so a gap means a missed record. */
  readonly tradeSeq: number;
  /** The per-market event sequence of the result that made the trade. */
  readonly eventSeq: number;
  /** The command whose matching made the trade (the taker's). */
  readonly commandId: string;
  readonly price: string;
  readonly quantity: string;
  readonly takerSide: 'BUY' | 'SELL';
  readonly timestampMs: number;
}

/**
 * A record of `exchange.trades` (key = symbol): the trades of one market from one engine
 * transaction, in tradeSeq order. Shard and fencing token are in the ENGINE_HEADERS.
 */
export interface PublicTradeBatch {
  readonly symbol: string;
  readonly trades: readonly PublicTrade[];
}

/**
 * A record of `exchange.book` (key = symbol): the book changes of one market over the events
 * fromEventSeq..eventSeq of one engine transaction, conflated: each changed level once, with its
 * total after the last of those events ("0" when the level is gone). Events in the range that
 * changed no level are simply part of it. Shard and fencing token are in the ENGINE_HEADERS.
 */
export interface PublicBookUpdate {
  readonly symbol: string;
  readonly fromEventSeq: number;
  readonly eventSeq: number;
  /** The commands whose book changes this update conflates, in order. */
  readonly commandIds: readonly string[];
  readonly timestampMs: number;
  readonly bids: readonly [price: string, quantity: string][];
  readonly asks: readonly [price: string, quantity: string][];
}

/** Headers the engine writes on every record, besides the MESSAGE_HEADERS of topics.ts. */
export const ENGINE_HEADERS = {
  shard: 'x-shard',
  fencingToken: 'x-fencing-token',
} as const;
