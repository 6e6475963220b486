// The takeover's choice between the warm standby's book and a cold restore from the database,
// without I/O: the warm book is used only when it holds exactly the shard's markets and each of
// its markets equals the log's last checkpoint, counters and (where recorded) state hash alike.
// Anything else restores from the database, which settlement has brought to the same point.
import { marketSpecOf, type BookCheckpoint, type Market } from '@app/domain';
import type { PartitionCheckpoint } from '@app/messaging';

/** What the decision needs of a warm book: its markets, and each market's counters and hash. */
export interface WarmBookState {
  readonly markets: readonly Market[];
  /** Counters by symbol, in the engine's market order. */
  readonly counters: ReadonlyMap<string, BookCheckpoint>;
  /** `MatchingEngine.stateHash` by symbol. */
  readonly stateHashes: ReadonlyMap<string, string>;
}

/** One way the warm book differs from what the log committed; symbol `*` for the market set. */
export interface RestoreMismatch {
  readonly symbol: string;
  readonly field: string;
  readonly expected: unknown;
  readonly warm: unknown;
}

/**
 * Use the warm book, or restore cold. A cold decision lists the mismatches that ruled the warm
 * book out (none when there was no warm book to judge).
 */
export type RestoreDecision =
  | { readonly use: 'warm' }
  | { readonly use: 'cold'; readonly mismatches: readonly RestoreMismatch[] };

const COUNTER_FIELDS = [
  'status',
  'eventSeq',
  'tradeSeq',
  'lastTradePriceTicks',
  'nextPrioritySeq',
] as const;

/**
 * Decides how a new leader gets its book. `checkpoints` are the newest checkpoint header of each
 * results partition of the shard (undefined where none was committed), `shardMarkets` the
 * markets the shard serves now.
 */
export function decideRestore(
  warm: WarmBookState | undefined,
  checkpoints: readonly (PartitionCheckpoint | undefined)[],
  shardMarkets: readonly Market[],
): RestoreDecision {
  if (warm === undefined) return { use: 'cold', mismatches: [] };
  const mismatches = sameMarkets(warm.markets, shardMarkets)
    ? warmMismatches(warm, checkpoints)
    : [
        {
          symbol: '*',
          field: 'markets',
          expected: shardMarkets.length,
          warm: warm.markets.length,
        },
      ];
  return mismatches.length === 0 ? { use: 'warm' } : { use: 'cold', mismatches };
}

/** Whether two market lists are the same markets with the same settings (any order). */
export function sameMarkets(a: readonly Market[], b: readonly Market[]): boolean {
  const key = (m: Market) => JSON.stringify(marketSpecOf(m));
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/**
 * How a warm book differs from the log's last checkpoint of each market it holds (counters, and
 * the state hash where the checkpoint has one); empty when it matches.
 */
function warmMismatches(
  warm: WarmBookState,
  checkpoints: readonly (PartitionCheckpoint | undefined)[],
): RestoreMismatch[] {
  const out: RestoreMismatch[] = [];
  for (const [symbol, counters] of warm.counters) {
    const checkpoint = checkpoints.find((c) => c?.[symbol] !== undefined)?.[symbol];
    if (checkpoint === undefined) {
      // No committed result of this market in the log: its book must be untouched.
      if (counters.eventSeq !== 0)
        out.push({ symbol, field: 'eventSeq', expected: 0, warm: counters.eventSeq });
      continue;
    }
    for (const field of COUNTER_FIELDS) {
      if (counters[field] !== checkpoint[field])
        out.push({ symbol, field, expected: checkpoint[field], warm: counters[field] });
    }
    if (checkpoint.stateHash !== undefined) {
      const hash = warm.stateHashes.get(symbol);
      if (hash !== checkpoint.stateHash)
        out.push({ symbol, field: 'stateHash', expected: checkpoint.stateHash, warm: hash });
    }
  }
  return out;
}
