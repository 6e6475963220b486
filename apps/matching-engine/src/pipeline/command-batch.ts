// One batch of the leader's work, without I/O: decode each consumed command, apply it to the
// MatchingEngine, and build every record the transaction publishes: the results packed per
// partition into as few records as the size bound allows (the checkpoint header on the last of
// each partition) and, per market, one record of public trades and one of conflated book changes.
import type { IHeaders, Message, TopicMessages } from 'kafkajs';
import {
  decodeCommand,
  formatPrice,
  formatQuantity,
  type EngineCommand,
  type EngineResult,
  type Market,
  type MatchingEngine,
} from '@app/domain';
import {
  ENGINE_HEADERS,
  ENGINE_RESULT_HEADERS,
  MESSAGE_HEADERS,
  encodeCheckpoint,
  encodePackedResult,
  messageHeaders,
  packEngineResults,
  readHeader,
  type PartitionCheckpoint,
  type PublicBookUpdate,
  type PublicTrade,
  type PublicTradeBatch,
} from '@app/messaging';
import { RESULTS_RECORD_BYTES_MAX } from '../engine.constants';
import { bookCounters } from './checkpoint';

/** A consumed command record: what the batch needs of a kafkajs message. */
export interface CommandRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/** What stays fixed for one leadership: where output goes and how it is stamped. */
export interface BatchContext {
  readonly shard: number;
  readonly fencingToken: string;
  readonly topics: { readonly results: string; readonly trades: string; readonly book: string };
  /** The results partition of each market of this shard (same partitioner as the producer). */
  readonly partitionOfSymbol: ReadonlyMap<string, number>;
  /** The markets of this shard whose records land in each results partition. */
  readonly symbolsOfPartition: ReadonlyMap<number, readonly string[]>;
  /**
   * Orders that were live when the book was restored. Their place commands were applied before
   * the restore, so a redelivered one is a duplicate even though the dedupe window, which the
   * restore only partly refills, may not know its commandId.
   */
  readonly restoredOrderIds: ReadonlySet<string>;
  /** Whether checkpoints carry state hashes. */
  readonly hashBooks: boolean;
  /** State hash of each market as of its last checkpoint; entries of touched markets are dropped. */
  readonly hashCache: Map<string, string>;
}

export interface BatchOutput {
  /** Records by topic, for one `sendBatch`. */
  readonly records: TopicMessages[];
  /** Commands applied (one published result each). */
  readonly applied: number;
  /** Commands recognised as already applied: no result is published for them. */
  readonly duplicates: number;
}

/** Decodes a command record; a value that is not JSON becomes `null`, which the engine rejects. */
export function decodeCommandRecord(record: CommandRecord): EngineCommand {
  if (record.value === null) return null as unknown as EngineCommand;
  try {
    return decodeCommand(JSON.parse(record.value.toString('utf8')));
  } catch {
    return null as unknown as EngineCommand;
  }
}

/**
 * Whether `command` places an order that was live when the book was restored: its effect is in
 * the book already, though the partly refilled dedupe window may not know its commandId.
 */
export function isRestoredDuplicate(
  command: EngineCommand,
  restoredOrderIds: ReadonlySet<string>,
): boolean {
  return (
    typeof command === 'object' &&
    command !== null &&
    command.type === 'place' &&
    restoredOrderIds.has(command.orderId)
  );
}

/**
 * What applying one consumed command does to the engine, the single definition shared by the
 * leader (which publishes the result) and a warm standby (which replays committed commands into
 * its own book): undefined when the command is a place of an order the book held when it was
 * restored (its effect is already in the book; the engine is not touched), else the result,
 * which is DUPLICATE for a command the dedupe window knows.
 */
export function applyCommandRecord(
  engine: MatchingEngine,
  record: CommandRecord,
  restoredOrderIds: ReadonlySet<string>,
): { command: EngineCommand; result: EngineResult | undefined } {
  const command = decodeCommandRecord(record);
  if (isRestoredDuplicate(command, restoredOrderIds)) return { command, result: undefined };
  return { command, result: engine.apply(command) };
}

/** Applies `records` (consumed from `inputPartition`) in order and builds the transaction's output. */
export function applyBatch(
  engine: MatchingEngine,
  records: readonly CommandRecord[],
  context: BatchContext,
  inputPartition = 0,
): BatchOutput {
  const builder = new BatchBuilder(engine, context, inputPartition);
  builder.add(records);
  return builder.finish();
}

/**
 * The output of one transaction, built a few commands at a time: the leader adds slices of a
 * chunk between turns of the event loop, so that the transaction in flight keeps moving while
 * the next chunk is matched. `finish` stamps the checkpoints (with the books as they are then),
 * so call it after the chunk's last command and before any command of the next chunk.
 */
export class BatchBuilder {
  /** Finished packed records of results, in order (a partition's records stay in order). */
  private readonly results: Message[] = [];
  /** Encoded results not yet in a record, per results partition. */
  private readonly pending = new Map<number, { entries: string[]; bytes: number }>();
  private readonly trades = new Map<string, PublicTrade[]>();
  private readonly book = new Map<string, BookChanges>();
  /** Results partitions with a result of one of their markets: they get a checkpoint. */
  private readonly checkpointed = new Set<number>();
  private readonly lastRecordOfPartition = new Map<number, Message>();
  private applied = 0;
  private duplicates = 0;

  constructor(
    private readonly engine: MatchingEngine,
    private readonly context: BatchContext,
    /** Where the commands come from; the results partition of a result without a known market. */
    private readonly inputPartition: number,
  ) {}

  /** Applies `records[from..to)` in order. */
  add(records: readonly CommandRecord[], from = 0, to = records.length): void {
    const { engine, context } = this;
    for (let i = from; i < to; i++) {
      const record = records[i];
      const { result } = applyCommandRecord(engine, record, context.restoredOrderIds);
      if (result === undefined || result.status === 'DUPLICATE') {
        this.duplicates += 1;
        continue;
      }
      const market = result.symbol === undefined ? undefined : engine.market(result.symbol);
      // A market's results go to its partition (the one its commands come from), so they stay
      // in order for settlement whatever partition a stray command arrived on.
      const partition =
        (market && context.partitionOfSymbol.get(market.symbol)) ?? this.inputPartition;
      this.pack(partition, encodePackedResult(result, requestIdOf(record)));
      this.applied += 1;
      if (market === undefined) continue;
      context.hashCache.delete(market.symbol);
      this.checkpointed.add(partition);
      if (result.trades.length > 0) {
        let list = this.trades.get(market.symbol);
        if (list === undefined) this.trades.set(market.symbol, (list = []));
        for (const trade of publicTrades(market, result)) list.push(trade);
      }
      if (result.bookDeltas.length > 0) {
        let changes = this.book.get(market.symbol);
        if (changes === undefined) {
          changes = {
            market,
            fromEventSeq: result.eventSeq,
            eventSeq: result.eventSeq,
            commandIds: [],
            timestampMs: result.timestampMs,
            bids: new Map(),
            asks: new Map(),
          };
          this.book.set(market.symbol, changes);
        }
        changes.eventSeq = result.eventSeq;
        changes.commandIds.push(result.commandId);
        changes.timestampMs = result.timestampMs;
        for (const delta of result.bookDeltas)
          (delta.side === 'BUY' ? changes.bids : changes.asks).set(delta.priceTicks, delta.qtyLots);
      }
    }
  }

  /** Adds one encoded result to its partition's open record, closing it first if full. */
  private pack(partition: number, entry: string): void {
    let open = this.pending.get(partition);
    if (open === undefined) this.pending.set(partition, (open = { entries: [], bytes: 0 }));
    if (open.entries.length > 0 && open.bytes + entry.length > RESULTS_RECORD_BYTES_MAX)
      this.closeRecord(partition, open);
    open.entries.push(entry);
    open.bytes += entry.length + 1;
  }

  private closeRecord(partition: number, open: { entries: string[]; bytes: number }): void {
    const { context } = this;
    const message: Message = {
      partition,
      key: null,
      value: packEngineResults(context.shard, context.fencingToken, open.entries),
      headers: publicHeaders(context),
    };
    this.results.push(message);
    this.lastRecordOfPartition.set(partition, message);
    open.entries = [];
    open.bytes = 0;
  }

  /**
   * Closes the open records and stamps the checkpoint header on each partition's last, and
   * `nextInputOffset` (the offset after the transaction's last command) on the input partition's.
   */
  finish(nextInputOffset?: bigint): BatchOutput {
    const { engine, context, results, trades, book } = this;
    for (const [partition, open] of this.pending)
      if (open.entries.length > 0) this.closeRecord(partition, open);
    const inputRecord = this.lastRecordOfPartition.get(this.inputPartition);
    if (nextInputOffset !== undefined && inputRecord !== undefined)
      inputRecord.headers = {
        ...inputRecord.headers,
        [ENGINE_RESULT_HEADERS.inputOffset]: nextInputOffset.toString(),
      };
    for (const partition of this.checkpointed) {
      const message = this.lastRecordOfPartition.get(partition) as Message;
      const checkpoint = partitionCheckpoint(engine, partition, context);
      message.headers = {
        ...message.headers,
        [ENGINE_RESULT_HEADERS.checkpoint]: encodeCheckpoint(checkpoint),
      };
    }
    const out: TopicMessages[] = [];
    if (results.length > 0) out.push({ topic: context.topics.results, messages: results });
    const headers = publicHeaders(context);
    if (trades.size > 0) {
      const messages: Message[] = [];
      for (const [symbol, list] of trades) {
        const batch: PublicTradeBatch = { symbol, trades: list };
        messages.push({ key: symbol, value: JSON.stringify(batch), headers });
      }
      out.push({ topic: context.topics.trades, messages });
    }
    if (book.size > 0) {
      const messages: Message[] = [];
      for (const [symbol, changes] of book) {
        messages.push({ key: symbol, value: JSON.stringify(bookUpdateOf(changes)), headers });
      }
      out.push({ topic: context.topics.book, messages });
    }
    return { records: out, applied: this.applied, duplicates: this.duplicates };
  }
}

function requestIdOf(record: CommandRecord): string | undefined {
  return readHeader(record.headers, MESSAGE_HEADERS.requestId);
}

/** Checkpoints of every market of the partition: a new leader reads only the partition's tail. */
export function partitionCheckpoint(
  engine: MatchingEngine,
  partition: number,
  context: BatchContext,
): PartitionCheckpoint {
  const checkpoint: PartitionCheckpoint = {};
  for (const symbol of context.symbolsOfPartition.get(partition) ?? []) {
    let stateHash: string | undefined;
    if (context.hashBooks) {
      stateHash = context.hashCache.get(symbol);
      if (stateHash === undefined) {
        stateHash = engine.stateHash(symbol);
        context.hashCache.set(symbol, stateHash);
      }
    }
    checkpoint[symbol] = { ...bookCounters(engine, symbol), stateHash };
  }
  return checkpoint;
}

/** The book changes of one market in one transaction, by level (price ticks -> lots). */
interface BookChanges {
  readonly market: Market;
  readonly fromEventSeq: number;
  eventSeq: number;
  readonly commandIds: string[];
  timestampMs: number;
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
}

function bookUpdateOf(changes: BookChanges): PublicBookUpdate {
  const levels = (side: Map<number, number>): [string, string][] => {
    const out: [string, string][] = [];
    for (const [price, lots] of side)
      out.push([formatPrice(changes.market, price), formatQuantity(changes.market, lots)]);
    return out;
  };
  return {
    symbol: changes.market.symbol,
    fromEventSeq: changes.fromEventSeq,
    eventSeq: changes.eventSeq,
    commandIds: changes.commandIds,
    timestampMs: changes.timestampMs,
    bids: levels(changes.bids),
    asks: levels(changes.asks),
  };
}

/** Headers of the packed and per-market records: they span commands, so no request or command id. */
function publicHeaders(context: BatchContext): IHeaders {
  const headers = messageHeaders();
  headers[ENGINE_HEADERS.shard] = String(context.shard);
  headers[ENGINE_HEADERS.fencingToken] = context.fencingToken;
  return headers;
}

function publicTrades(market: Market, result: EngineResult): PublicTrade[] {
  return result.trades.map((trade) => ({
    symbol: market.symbol,
    tradeSeq: trade.tradeSeq,
    eventSeq: result.eventSeq,
    commandId: result.commandId,
    price: formatPrice(market, trade.priceTicks),
    quantity: formatQuantity(market, trade.qtyLots),
    takerSide: trade.takerSide,
    timestampMs: result.timestampMs,
  }));
}
