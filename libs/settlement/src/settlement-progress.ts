// Whether settlement makes progress on waiting work (design invariant 8): pure bookkeeping over
// polled positions (checkpoint and read-committed end of each results partition) and a clock the
// caller passes in. The guard (progress-guard.ts) does the polling, logging and metrics.
import { assert } from '@app/domain';

/** One partition's position as polled: what settlement has applied, and the log's end. */
export interface PartitionPosition {
  readonly partition: number;
  /** `settlement_checkpoints.last_offset` (-1 when nothing was applied). */
  readonly lastOffset: bigint;
  /**
   * The end offset a read-committed reader sees (the last stable offset): an open transaction's
   * records lie beyond it, so they do not count as waiting work until they are committed.
   */
  readonly highWatermark: bigint;
}

/** How one partition's settlement stands at a moment. */
export interface PartitionProgress {
  readonly partition: number;
  /** Offsets of the log after the checkpoint: committed results (and markers) not yet settled. */
  readonly lagOffsets: number;
  /** Seconds the checkpoint has not moved while lagging; 0 when caught up. */
  readonly secondsSinceProgress: number;
  /** Lagging without progress for at least the stall bound. */
  readonly stalled: boolean;
}

export interface SettlementProgressReport {
  readonly stallBoundSeconds: number;
  /** Whether a poll has succeeded yet; until then nothing is known, and nothing is stalled. */
  readonly polled: boolean;
  /** Partitions the last successful poll saw. */
  readonly partitions: number;
  /** Sum of the partitions' lag. */
  readonly lagOffsets: number;
  /** The partitions with lag, ascending. */
  readonly lagging: readonly PartitionProgress[];
  /** The lagging partitions over the bound, ascending. */
  readonly stalled: readonly PartitionProgress[];
}

/** Partitions whose stall began or ended since the previous `transitions` call. */
export interface StallTransitions {
  readonly began: readonly PartitionProgress[];
  readonly ended: readonly number[];
}

interface PartitionState {
  lastOffset: bigint;
  lagOffsets: number;
  /** When the current checkpoint was first seen lagging; undefined while caught up. */
  lagSinceMs: number | undefined;
  /** Whether `transitions` has announced this partition's stall. */
  announced: boolean;
  /** The last poll did not list it; kept only until `transitions` announces its stall's end. */
  gone?: boolean;
}

/**
 * Per partition: a checkpoint that moves is progress, a checkpoint at the log's end is caught
 * up, and a lagging checkpoint that has not moved for `stallBoundMs` is stalled. Time passes
 * between observations too (a failed poll is not progress): the report ages what was last seen.
 */
export class SettlementProgress {
  private readonly states = new Map<number, PartitionState>();
  private polled = false;

  constructor(private readonly stallBoundMs: number) {
    assert(Number.isSafeInteger(stallBoundMs) && stallBoundMs > 0, 'stall bound must be > 0 ms');
  }

  /** Records the positions of one successful poll, taken at `nowMs`. */
  observe(positions: readonly PartitionPosition[], nowMs: number): void {
    const seen = new Set<number>();
    for (const { partition, lastOffset, highWatermark } of positions) {
      seen.add(partition);
      const behind = highWatermark - (lastOffset + 1n);
      const lagOffsets = behind > 0n ? Number(behind) : 0;
      const previous = this.states.get(partition);
      let lagSinceMs: number | undefined;
      if (lagOffsets === 0) lagSinceMs = undefined;
      else if (previous?.lagSinceMs !== undefined && previous.lastOffset === lastOffset) {
        lagSinceMs = previous.lagSinceMs;
      } else lagSinceMs = nowMs;
      this.states.set(partition, {
        lastOffset,
        lagOffsets,
        lagSinceMs,
        announced: previous?.announced ?? false,
      });
    }
    // Kafka never shrinks a topic, but a recreated one may have fewer partitions: those wait
    // for nothing. One whose stall was announced stays until `transitions` announces its end.
    for (const [partition, state] of this.states) {
      if (seen.has(partition)) continue;
      if (state.announced) {
        this.states.set(partition, { ...state, lagOffsets: 0, lagSinceMs: undefined, gone: true });
      } else this.states.delete(partition);
    }
    this.polled = true;
  }

  /** Where every partition stands at `nowMs`; reading it changes nothing. */
  report(nowMs: number): SettlementProgressReport {
    const all = this.partitions(nowMs);
    const lagging = all.filter((p) => p.lagOffsets > 0);
    return {
      stallBoundSeconds: this.stallBoundMs / 1_000,
      polled: this.polled,
      partitions: all.length,
      lagOffsets: lagging.reduce((sum, p) => sum + p.lagOffsets, 0),
      lagging,
      stalled: lagging.filter((p) => p.stalled),
    };
  }

  /** Every partition the last successful poll saw, ascending, at `nowMs`. */
  partitions(nowMs: number): PartitionProgress[] {
    return [...this.states.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, state]) => this.progressOf(partition, state, nowMs));
  }

  /**
   * The stalls that began and ended since the last call, each reported once, so that the caller
   * logs a stall when it starts and when it ends rather than on every poll.
   */
  transitions(nowMs: number): StallTransitions {
    const began: PartitionProgress[] = [];
    const ended: number[] = [];
    for (const [partition, state] of [...this.states.entries()].sort(([a], [b]) => a - b)) {
      const progress = this.progressOf(partition, state, nowMs);
      if (progress.stalled && !state.announced) {
        state.announced = true;
        began.push(progress);
      } else if (!progress.stalled && state.announced) {
        state.announced = false;
        ended.push(partition);
      }
      if (state.gone === true) this.states.delete(partition);
    }
    return { began, ended };
  }

  private progressOf(partition: number, state: PartitionState, nowMs: number): PartitionProgress {
    const idleMs = state.lagSinceMs === undefined ? 0 : Math.max(0, nowMs - state.lagSinceMs);
    return {
      partition,
      lagOffsets: state.lagOffsets,
      secondsSinceProgress: Math.round(idleMs / 100) / 10,
      stalled: state.lagSinceMs !== undefined && idleMs >= this.stallBoundMs,
    };
  }
}

/**
 * The readiness reason for a report's stalled partitions, or undefined when none is stalled:
 * names each partition with its lag and seconds without progress, and the bound.
 */
export function stallReason(report: SettlementProgressReport): string | undefined {
  if (report.stalled.length === 0) return undefined;
  const parts = report.stalled.map(
    (p) => `partition ${p.partition} (${p.lagOffsets} offsets behind, ${p.secondsSinceProgress} s)`,
  );
  return (
    `settlement stalled: no progress on ${parts.join(', ')} ` +
    `for longer than the ${report.stallBoundSeconds} s bound`
  );
}
