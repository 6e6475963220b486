import type { BookCheckpoint, MarketStatus } from '@app/domain';

/**
 * The headers that records of `exchange.engine.results` carry besides ENGINE_HEADERS and
 * MESSAGE_HEADERS, and the value of the checkpoint header. The engine leader writes them in its
 * transactions; a new leader reads them back from the log's tail at takeover (the value schemas
 * of the records themselves are in engine-events.ts).
 */
export const ENGINE_RESULT_HEADERS = {
  /**
   * On the last results record of each partition in a transaction: the book checkpoints of that
   * partition's markets (a PartitionCheckpoint as JSON). The database cannot give eventSeq and
   * nextPrioritySeq, so a new leader restores them from here and checks its book's hash.
   */
  checkpoint: 'x-engine-checkpoint',
  /**
   * On the last results record of the input partition in each transaction: the next offset of
   * that partition of the orders topic, committed in the same transaction as the consumer group
   * offset. A new leader falls back to it when the group offset is gone (Kafka expires the
   * offsets of a group without members after offsets.retention.minutes, a week by default, and
   * the shard group never has members), instead of replaying the command log from its start.
   */
  inputOffset: 'x-engine-input-offset',
} as const;

/** One market's counters after a transaction, and (optionally) its book's state hash. */
export interface SymbolCheckpoint extends BookCheckpoint {
  /** `MatchingEngine.stateHash(symbol)`; absent when hashing is off. */
  stateHash?: string;
}

/** The checkpoints of every market whose records go to one results partition, by symbol. */
export type PartitionCheckpoint = Record<string, SymbolCheckpoint>;

export function encodeCheckpoint(checkpoint: PartitionCheckpoint): string {
  return JSON.stringify(checkpoint);
}

const STATUSES: ReadonlySet<MarketStatus> = new Set(['TRADING', 'HALTED']);

/** Parses a checkpoint header; throws on a malformed one (a bug, never a retry case). */
export function decodeCheckpoint(text: string): PartitionCheckpoint {
  const json = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const out: PartitionCheckpoint = {};
  for (const [symbol, c] of Object.entries(json)) {
    const counters = [c.eventSeq, c.tradeSeq, c.lastTradePriceTicks, c.nextPrioritySeq];
    if (
      !counters.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) ||
      !STATUSES.has(c.status as MarketStatus) ||
      (c.stateHash !== undefined && typeof c.stateHash !== 'string')
    ) {
      throw new Error(`malformed engine checkpoint for ${symbol}`);
    }
    out[symbol] = {
      status: c.status as MarketStatus,
      eventSeq: c.eventSeq as number,
      tradeSeq: c.tradeSeq as number,
      lastTradePriceTicks: c.lastTradePriceTicks as number,
      nextPrioritySeq: c.nextPrioritySeq as number,
      stateHash: c.stateHash as string | undefined,
    };
  }
  return out;
}
