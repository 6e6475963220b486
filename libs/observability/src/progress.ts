// Whether a consumer of a partitioned log makes progress on the work waiting for it: per
// partition, the log's end against the consumer's position, and how long the position has stood
// still while the end was past it. Pure (the caller brings the clock and the offsets), so a
// watchdog built on it can be tested without a broker.

/** One look at a pipeline: the log's end and the consumer's position per partition. */
export interface ProgressSample {
  /** The next offset the log will write per partition (its read-committed end). */
  readonly ends: ReadonlyMap<number, bigint>;
  /** The next offset the consumer will take per partition (what it has finished below it). */
  readonly positions: ReadonlyMap<number, bigint>;
  /** A monotonic clock, in milliseconds. */
  readonly nowMs: number;
}

/** What a sample says, for health, metrics and the watchdog's decision. */
export interface ProgressReport {
  /** Records waiting in all partitions: the sum of end - position where positive. */
  readonly lag: bigint;
  /**
   * The longest time, in milliseconds, that a partition with waiting records has kept its
   * position; 0 when nothing waits.
   */
  readonly stillForMs: number;
  /** Partitions with waiting records whose position has stood still for the bound or longer. */
  readonly stalledPartitions: readonly number[];
  /** True when any partition is stalled. */
  readonly stalled: boolean;
}

/**
 * Tracks, per partition, since when the consumer's position has not moved while records waited.
 * A partition that has nothing waiting is never stalled, however long it is idle; a position
 * that moves restarts its partition's clock. `reset` forgets everything (a new consumer).
 */
export class ProgressTracker {
  private readonly positions = new Map<number, bigint>();
  /** Per partition, when its position last moved or it last had nothing waiting. */
  private readonly since = new Map<number, number>();

  /** @param stallAfterMs how long a position may stand still with records waiting. */
  constructor(private readonly stallAfterMs: number) {
    if (!(Number.isFinite(stallAfterMs) && stallAfterMs > 0))
      throw new Error(`stallAfterMs must be positive, not ${stallAfterMs}`);
  }

  reset(): void {
    this.positions.clear();
    this.since.clear();
  }

  observe(sample: ProgressSample): ProgressReport {
    let lag = 0n;
    let stillForMs = 0;
    const stalledPartitions: number[] = [];
    for (const [partition, position] of sample.positions) {
      const end = sample.ends.get(partition);
      const waiting = end !== undefined && end > position ? end - position : 0n;
      const previous = this.positions.get(partition);
      this.positions.set(partition, position);
      lag += waiting;
      // A first look, a position that moved, or nothing waiting: the clock starts now.
      if (waiting === 0n || previous !== position) {
        this.since.set(partition, sample.nowMs);
        continue;
      }
      const still = sample.nowMs - (this.since.get(partition) ?? sample.nowMs);
      stillForMs = Math.max(stillForMs, still);
      if (still >= this.stallAfterMs) stalledPartitions.push(partition);
    }
    return { lag, stillForMs, stalledPartitions, stalled: stalledPartitions.length > 0 };
  }
}
