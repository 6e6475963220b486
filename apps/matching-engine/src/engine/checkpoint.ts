// The book checkpoint the engine writes into its own output log, so that a new leader can
// restore the counters the database does not hold (eventSeq, nextPrioritySeq) and check the
// books it rebuilt from the database against the state hash the old leader committed.
import {
  OrderBook,
  type BookCheckpoint,
  type MarketStatus,
  type MatchingEngine,
} from '@app/domain';

/** One market's counters after a transaction, and (optionally) its book's state hash. */
export interface SymbolCheckpoint extends BookCheckpoint {
  /** `MatchingEngine.stateHash(symbol)`; absent when hashing is off. */
  stateHash?: string;
}

/** The checkpoints of every market whose records go to one results partition, by symbol. */
export type PartitionCheckpoint = Record<string, SymbolCheckpoint>;

/**
 * The counters of one market. They are read from the fast book's fields: a snapshot would copy
 * the whole book for five numbers.
 */
export function bookCounters(engine: MatchingEngine, symbol: string): BookCheckpoint {
  const book = engine.book(symbol);
  if (!(book instanceof OrderBook)) throw new Error(`book of ${symbol} is not an OrderBook`);
  return {
    status: book.status,
    eventSeq: book.eventSeq,
    tradeSeq: book.tradeSeq,
    lastTradePriceTicks: book.lastTradePriceTicks,
    nextPrioritySeq: book.nextPrioritySeq,
  };
}

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
