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
 * An `exchange.engine.results` record (key = symbol) is a packed run:
 * `{shard, fencingToken, results: [{result, requestId?}, ...]}`, the results of consecutive
 * commands of one partition in one engine transaction, in command order, at most about
 * ENGINE_SEND_BYTES_MAX per record. Per-record encoding is most of a Kafka producer's cost;
 * packing makes it per transaction instead of per command. A single result is a run of one.
 *
 * The record's offset is the unit settlement checkpoints, so a record is settled all at once or
 * not at all.
 *
 * The first shape, one envelope per record (`{shard, fencingToken, result}`), is no longer read:
 * the engine has written only packed runs since they were introduced, and only tests and the
 * settlement bench still wrote the old one. A log that still holds such records (a local broker
 * kept from before) is refused record by record with "no results list"; `npm run up -- --reset`
 * starts a clean one.
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

/** The envelopes of one results record, in command order. */
export function decodeEngineResultRecord(value: Buffer | string): EngineResultEnvelope[] {
  const json = parseStamped(value);
  return (json.results as { requestId?: unknown; result?: Json }[]).map((entry) => {
    if (entry === null || typeof entry !== 'object')
      throw new Error('malformed packed engine results: entry');
    if (entry.requestId !== undefined && typeof entry.requestId !== 'string')
      throw new Error('malformed packed engine results: requestId');
    return envelopeOf(json, entry.result, entry.requestId);
  });
}

/** The commandIds of one results record, without decoding the results. */
export function engineResultCommandIds(value: Buffer | string): string[] {
  const json = parseStamped(value);
  const results = (json.results as { result?: { commandId?: unknown } }[]).map(
    (entry) => entry?.result,
  );
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
  if (!Array.isArray(json.results)) {
    throw new Error(
      'malformed engine results record: no results list (the single-envelope shape is no longer read)',
    );
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
