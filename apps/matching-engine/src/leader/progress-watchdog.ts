// The leader's progress watchdog. Every ENGINE_WATCHDOG_INTERVAL_MS it compares the end of the
// orders log with the positions the leader has committed; when commands wait on a partition whose
// position has not moved for ENGINE_STALL_TIMEOUT_MS, the leader is stalled, whatever its consumer
// believes: it says so (readiness, metrics, one error log), restarts its session from the
// committed offsets, and if the next session stalls too, hands the lease over to the standby.
//
// It reads nothing the consumer reports about itself, only the log's end offsets and the positions
// that move when a transaction commits, so a consumer that is stuck while it thinks it runs (as
// one was after a rejoin put it back at offset 0) cannot fool it.
import type { Admin, Kafka } from 'kafkajs';
import { ProgressTracker, type Logger, type ProgressReport } from '@app/observability';
import {
  ENGINE_HANDOVER_HOLD_OFF_MS,
  ENGINE_WATCHDOG_INTERVAL_MS,
  ENGINE_WATCHDOG_PROBE_TIMEOUT_MS,
} from '../engine.constants';
import type { EngineMetrics } from '../engine.metrics';
import { EngineStalledError, type LeaderSession } from './leader-session';

export interface ProgressWatchdogDeps {
  readonly kafka: Kafka;
  readonly ordersTopic: string;
  readonly shard: number;
  readonly stallTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics: EngineMetrics;
  /** The leader's session, if this process leads. */
  readonly session: () => LeaderSession | undefined;
  /** Gives the lease up for ENGINE_HANDOVER_HOLD_OFF_MS. */
  readonly handOver: (holdOffMs: number) => Promise<void>;
}

/** What health and /engine/state show of the leader's progress. */
export interface ProgressStatus {
  readonly lagCommands: string;
  readonly secondsSinceProgress: number;
  readonly stalled: boolean;
}

/** The watchdog's steps for one stall: restart the session first, then hand the lease over. */
type Escalation = 'none' | 'restarted' | 'handed-over';

export class ProgressWatchdog {
  private readonly tracker: ProgressTracker;
  private readonly labels: { shard: string };
  private timer: NodeJS.Timeout | undefined;
  private admin: Admin | undefined;
  private running = false;
  /**
   * The committed positions of this leadership's newest consuming session: a failed session's
   * stay what they were, so a leader whose sessions keep failing (a crash loop) is stalled too.
   */
  private positions: ReadonlyMap<number, bigint> | undefined;
  private last: ProgressReport | undefined;
  /**
   * When the current stall began (its positions' last move), from its detection until a position
   * moves or nothing waits; kept across the session restart it causes.
   */
  private stalledSince: number | undefined;
  private escalation: Escalation = 'none';
  /** When the watchdog restarted the session; the next session gets a whole bound to progress. */
  private restartedAt = 0;
  /** The positions when the stall was acted on: any move past them is progress. */
  private stalledAt: ReadonlyMap<number, bigint> | undefined;
  private probeFailing = false;

  constructor(private readonly deps: ProgressWatchdogDeps) {
    this.tracker = new ProgressTracker(deps.stallTimeoutMs);
    this.labels = { shard: String(deps.shard) };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  /** Undefined unless this process leads (and has consumed in this leadership). */
  status(): ProgressStatus | undefined {
    const report = this.last;
    if (report === undefined) return undefined;
    return {
      lagCommands: report.lag.toString(),
      secondsSinceProgress: Math.floor(this.stillForMs(report) / 1000),
      stalled: this.stalledSince !== undefined,
    };
  }

  /** How long the position has stood still: since the stall began while stalled (a session
   * restart does not restart this clock), else the tracker's figure. */
  private stillForMs(report: ProgressReport): number {
    return this.stalledSince !== undefined
      ? performance.now() - this.stalledSince
      : report.stillForMs;
  }

  /** Rejects while stalled: the readiness probe of the engine's pipeline. */
  async check(): Promise<void> {
    const status = this.status();
    if (status?.stalled !== true) return;
    throw new Error(
      `leader made no progress for ${status.secondsSinceProgress} s with ${status.lagCommands} commands waiting`,
    );
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), ENGINE_WATCHDOG_INTERVAL_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.probe();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'engine progress watchdog probe failed');
    }
    this.schedule();
  }

  private async probe(): Promise<void> {
    const session = this.deps.session();
    // A session restoring (or failed) has not moved the positions its predecessor committed.
    const positions = session?.positions() ?? this.positions;
    // Nothing consumed yet in this leadership: the takeover has bounds of its own.
    if (positions === undefined) return;
    this.positions = positions;
    const ends = await this.logEnds([...positions.keys()]);
    if (ends === undefined) return;
    const report = this.tracker.observe({ ends, positions, nowMs: performance.now() });
    this.last = report;
    if (this.stalledSince !== undefined && this.progressed(report, positions)) {
      this.deps.logger.info(
        { lagCommands: report.lag.toString(), escalation: this.escalation },
        'engine leader is making progress again',
      );
      this.stalledSince = undefined;
      this.escalation = 'none';
      this.stalledAt = undefined;
    }
    if (report.stalled) await this.act(session, report, positions);
    this.publish(report);
  }

  private progressed(report: ProgressReport, positions: ReadonlyMap<number, bigint>): boolean {
    if (report.lag === 0n) return true;
    const before = this.stalledAt;
    if (before === undefined) return !report.stalled;
    return [...positions].some(([p, position]) => position > (before.get(p) ?? position));
  }

  private async act(
    session: LeaderSession | undefined,
    report: ProgressReport,
    positions: ReadonlyMap<number, bigint>,
  ): Promise<void> {
    const facts = {
      stalledPartitions: report.stalledPartitions,
      lagCommands: report.lag.toString(),
      stillForMs: Math.round(report.stillForMs),
      positions: Object.fromEntries([...positions].map(([p, o]) => [String(p), o.toString()])),
    };
    if (this.escalation === 'none') {
      this.stalledSince = performance.now() - report.stillForMs;
      this.stalledAt = new Map(positions);
      this.escalation = 'restarted';
      this.restartedAt = performance.now();
      this.deps.metrics.stalls.inc({ ...this.labels, action: 'restart' });
      this.deps.logger.error(
        facts,
        'engine leader made no progress on waiting commands; restarting its session from the committed offsets',
      );
      session?.abort(new EngineStalledError('no progress on waiting commands'));
      return;
    }
    if (
      this.escalation === 'restarted' &&
      performance.now() - this.restartedAt >= this.deps.stallTimeoutMs
    ) {
      this.escalation = 'handed-over';
      this.deps.metrics.stalls.inc({ ...this.labels, action: 'handover' });
      this.deps.logger.error(
        { ...facts, holdOffMs: ENGINE_HANDOVER_HOLD_OFF_MS },
        'engine leader still made no progress after a session restart; handing the lease over',
      );
      await this.deps.handOver(ENGINE_HANDOVER_HOLD_OFF_MS);
    }
  }

  /** Clears the stall when leadership ends: a standby has nothing to be stalled on. */
  leadershipEnded(): void {
    this.tracker.reset();
    this.positions = undefined;
    this.stalledSince = undefined;
    this.escalation = 'none';
    this.stalledAt = undefined;
    this.last = undefined;
    this.publish(undefined);
  }

  private publish(report: ProgressReport | undefined): void {
    this.deps.metrics.inputLag.set(this.labels, Number(report?.lag ?? 0n));
    this.deps.metrics.secondsSinceProgress.set(
      this.labels,
      report === undefined ? 0 : this.stillForMs(report) / 1000,
    );
  }

  /** The orders log's end offsets of `partitions`, or undefined when the broker does not answer. */
  private async logEnds(partitions: readonly number[]): Promise<Map<number, bigint> | undefined> {
    const admin = (this.admin ??= this.deps.kafka.admin());
    let timer: NodeJS.Timeout | undefined;
    try {
      const offsets = await Promise.race([
        admin.connect().then(() => admin.fetchTopicOffsets(this.deps.ordersTopic)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('the broker did not answer')),
            ENGINE_WATCHDOG_PROBE_TIMEOUT_MS,
          );
        }),
      ]);
      if (this.probeFailing) this.deps.logger.info({}, 'engine progress watchdog probes again');
      this.probeFailing = false;
      const wanted = new Set(partitions);
      return new Map(
        offsets.filter((o) => wanted.has(o.partition)).map((o) => [o.partition, BigInt(o.offset)]),
      );
    } catch (error) {
      if (!this.probeFailing)
        this.deps.logger.warn(
          { err: error },
          'engine progress watchdog cannot read the orders log end; progress unknown',
        );
      this.probeFailing = true;
      // A fresh connection next time: this one may be what is stuck.
      this.admin = undefined;
      void admin.disconnect().catch(() => undefined);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
