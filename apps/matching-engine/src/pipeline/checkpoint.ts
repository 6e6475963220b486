// The book checkpoint the engine writes into its own output log, so that a new leader can
// restore the counters the database does not hold (eventSeq, nextPrioritySeq) and check the
// books it rebuilt from the database against the state hash the old leader committed. The
// header and its codec are the results topic's contract (libs/messaging).
import { OrderBook, type BookCheckpoint, type MatchingEngine } from '@app/domain';

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
