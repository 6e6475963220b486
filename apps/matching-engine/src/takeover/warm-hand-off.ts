// The warm path of a takeover: this process's standby book, brought to exactly the committed
// offsets, is used when restore-decision.ts finds it equal to what the log last committed.
import type { Market, MatchingEngine } from '@app/domain';
import type { Logger } from '@app/observability';
import type { EngineMetrics } from '../engine.metrics';
import type { WarmBook } from '../follower/engine-follower';
import { bookCounters } from '../pipeline/checkpoint';
import type { PartitionTail } from '../restore/read-results-tail';
import { decideRestore, type WarmBookState } from './restore-decision';

/** A warm standby, as the takeover sees it (EngineFollower). */
export interface WarmStandby {
  /**
   * The standby's book once it has applied every command before `committed`, or undefined when
   * there is none or it cannot get there within `timeoutMs`. The standby stops either way.
   */
  handOff(committed: ReadonlyMap<number, bigint>, timeoutMs: number): Promise<WarmBook | undefined>;
}

/** A warm book the takeover accepted, with each market's state hash. */
export interface AcceptedWarmBook extends WarmBook {
  readonly stateHashes: Map<string, string>;
}

/**
 * Judges a handed-off warm book against the log's checkpoints and the shard's markets: returns
 * it when it matches; logs and counts the differences and returns undefined (restore cold) when
 * not.
 */
export function acceptWarmBook(
  warm: WarmBook | undefined,
  tails: readonly PartitionTail[],
  shardMarkets: readonly Market[],
  deps: {
    readonly logger: Logger;
    readonly metrics: EngineMetrics;
    readonly shardLabel: { readonly shard: string };
  },
): AcceptedWarmBook | undefined {
  if (warm === undefined) return undefined;
  const state = warmBookState(warm.engine);
  const decision = decideRestore(
    state,
    tails.map((t) => t.checkpoint),
    shardMarkets,
  );
  if (decision.use === 'warm') return { ...warm, stateHashes: new Map(state.stateHashes) };
  deps.metrics.restoreMismatches.inc(deps.shardLabel, decision.mismatches.length);
  deps.logger.error(
    { mismatches: decision.mismatches },
    'warm standby book differs from the last committed state; restoring from the database',
  );
  return undefined;
}

/** The markets, counters and state hashes of a warm book, for the decision. */
function warmBookState(engine: MatchingEngine): WarmBookState {
  const symbols = engine.symbols();
  return {
    markets: symbols.map((s) => engine.market(s) as Market),
    counters: new Map(symbols.map((s) => [s, bookCounters(engine, s)])),
    stateHashes: new Map(symbols.map((s) => [s, engine.stateHash(s)])),
  };
}
