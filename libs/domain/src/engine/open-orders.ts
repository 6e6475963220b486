// Rebuilding a book's snapshot from open orders as the database holds them: rows in any order,
// plus the per-market checkpoint settlement keeps. The result is the canonical snapshot, so a
// book restored from it hashes equal to the book that produced the rows.
import { assert } from '../assert';
import { BookCheckpoint, BookSnapshot, OpenOrder } from './matching-book';

/** An open order row: an OpenOrder plus the market it belongs to. */
export interface OpenOrderRow extends OpenOrder {
  symbol: string;
}

/**
 * Sorts rows into book priority order: bids by price descending, asks by price ascending, each
 * level by prioritySeq; pending stops by prioritySeq. nextPrioritySeq is raised above every row.
 */
export function snapshotFromOpenOrders(
  symbol: string,
  rows: readonly OpenOrder[],
  checkpoint: BookCheckpoint,
): BookSnapshot {
  const bids: OpenOrder[] = [];
  const asks: OpenOrder[] = [];
  const stops: OpenOrder[] = [];
  let maxPriority = 0;
  for (const row of rows) {
    assert(
      row.remainingLots >= 0 && row.filledLots >= 0,
      `open order ${row.orderId} has negative quantities`,
    );
    maxPriority = Math.max(maxPriority, row.prioritySeq);
    if (row.status === 'PENDING_TRIGGER') stops.push(row);
    else if (row.side === 'BUY') bids.push(row);
    else asks.push(row);
  }
  bids.sort(
    (a, b) => (b.priceTicks as number) - (a.priceTicks as number) || a.prioritySeq - b.prioritySeq,
  );
  asks.sort(
    (a, b) => (a.priceTicks as number) - (b.priceTicks as number) || a.prioritySeq - b.prioritySeq,
  );
  stops.sort((a, b) => a.prioritySeq - b.prioritySeq);
  return {
    symbol,
    status: checkpoint.status,
    eventSeq: checkpoint.eventSeq,
    tradeSeq: checkpoint.tradeSeq,
    lastTradePriceTicks: checkpoint.lastTradePriceTicks,
    nextPrioritySeq: Math.max(checkpoint.nextPrioritySeq, maxPriority + 1),
    bids,
    asks,
    stops,
  };
}
