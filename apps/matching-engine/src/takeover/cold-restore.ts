// The cold path of a takeover: rebuild the shard's books from the database, which holds every
// committed result once settlement has applied them, with the counters and the dedupe window
// the results log recorded, and check each book against the state hash the log committed.
import {
  COMMAND_DEDUPE_WINDOW_MAX,
  MatchingEngine,
  type BookCheckpoint,
  type Market,
} from '@app/domain';
import type { Queryable } from '@app/database';
import type { Logger } from '@app/observability';
import type { EngineMetrics } from '../engine.metrics';
import { loadOpenOrders } from '../restore/load-open-orders';
import type { PartitionTail } from '../restore/read-results-tail';
import { waitForSettlement } from '../restore/wait-for-settlement';

/** Thrown when a restored book does not hash like the one the log last committed. */
export class RestoreMismatchError extends Error {
  override readonly name = 'RestoreMismatchError';
  readonly code = 'RESTORE_STATE_MISMATCH';
}

export interface ColdRestoreDeps {
  readonly db: Queryable;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** The physical name of the results topic, whose settlement checkpoints are awaited. */
  readonly resultsTopic: string;
  /** How long to wait for settlement before the takeover fails (and is retried). */
  readonly settlementWaitMs: number;
  readonly shardLabel: { readonly shard: string };
}

/** A book rebuilt from the database, with the state hash of each market. */
export interface ColdBook {
  readonly engine: MatchingEngine;
  readonly restoredOrderIds: ReadonlySet<string>;
  readonly stateHashes: Map<string, string>;
}

/**
 * Waits until settlement has applied the last committed record of each results partition, loads
 * the live orders in priority order into a fresh engine with the log's counters and the newest
 * commandIds of each partition (`perPartition` of them) as the dedupe window, and verifies it.
 */
export async function restoreCold(
  deps: ColdRestoreDeps,
  tails: readonly PartitionTail[],
  shardMarkets: readonly Market[],
  perPartition: number,
  cancelled: () => boolean,
): Promise<ColdBook> {
  const lastOffsets = new Map<number, string>();
  for (const tail of tails) {
    if (tail.lastRecordOffset !== undefined) lastOffsets.set(tail.partition, tail.lastRecordOffset);
  }
  await waitForSettlement(
    deps.db,
    deps.resultsTopic,
    lastOffsets,
    deps.settlementWaitMs,
    cancelled,
  );
  const rows = await loadOpenOrders(
    deps.db,
    shardMarkets.map((m) => m.symbol),
  );
  const engine = new MatchingEngine({ markets: shardMarkets });
  const checkpoints = checkpointsOf(tails, shardMarkets, deps.logger);
  engine.restoreFromOpenOrders(rows, checkpoints, recentCommandIds(tails, perPartition));
  const stateHashes = verifyRestore(engine, tails, deps);
  return { engine, restoredOrderIds: new Set(rows.map((row) => row.orderId)), stateHashes };
}

/** The counters of each market from the newest checkpoints (a market without one starts at 0). */
function checkpointsOf(
  tails: readonly PartitionTail[],
  markets: readonly Market[],
  logger: Logger,
): Record<string, BookCheckpoint> {
  const checkpoints: Record<string, BookCheckpoint> = {};
  for (const tail of tails) {
    for (const [symbol, checkpoint] of Object.entries(tail.checkpoint ?? {})) {
      const { stateHash: _hash, ...counters } = checkpoint;
      checkpoints[symbol] = counters;
    }
  }
  for (const market of markets) {
    if (
      checkpoints[market.symbol] === undefined &&
      tails.some((t) => t.lastRecordOffset !== undefined)
    ) {
      logger.warn(
        { symbol: market.symbol },
        'no engine checkpoint in the log; counters start at 0',
      );
    }
  }
  return checkpoints;
}

/** Compares each restored book with the hash its last checkpoint recorded. */
function verifyRestore(
  engine: MatchingEngine,
  tails: readonly PartitionTail[],
  deps: ColdRestoreDeps,
): Map<string, string> {
  const hashes = new Map<string, string>();
  const mismatches: { symbol: string; expected: string; restored: string }[] = [];
  for (const symbol of engine.symbols()) {
    const restored = engine.stateHash(symbol);
    hashes.set(symbol, restored);
    for (const tail of tails) {
      const expected = tail.checkpoint?.[symbol]?.stateHash;
      if (expected !== undefined && expected !== restored)
        mismatches.push({ symbol, expected, restored });
    }
  }
  if (mismatches.length > 0) {
    deps.metrics.restoreMismatches.inc(deps.shardLabel, mismatches.length);
    deps.logger.error({ mismatches }, 'restored book differs from the last committed state');
    throw new RestoreMismatchError(
      `restored books differ from the log's last checkpoint: ${mismatches.map((m) => m.symbol).join(', ')}`,
    );
  }
  return hashes;
}

/**
 * The newest `perPartition` commandIds of each partition (a packed tail may hold many more), so
 * every partition's recent commands are in the refilled dedupe window.
 */
export function recentCommandIds(tails: readonly PartitionTail[], perPartition: number): string[] {
  const seen = new Set<string>();
  for (const tail of tails) for (const id of tail.commandIds.slice(-perPartition)) seen.add(id);
  const ids = [...seen];
  return ids.slice(Math.max(0, ids.length - COMMAND_DEDUPE_WINDOW_MAX));
}
