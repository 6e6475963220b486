// The settlement progress guard: polls settlement's checkpoints against the read-committed end of
// the results log through one kept-open Kafka admin, feeds SettlementProgress, and says what it
// finds in metrics and logs (once when a stall begins, once when it ends). Health asks it.
import type { Admin, Kafka } from 'kafkajs';
import type { Queryable } from '@app/database';
import type { Logger } from '@app/observability';
import { settlementCatchUp, type PartitionCatchUp } from './caught-up';
import {
  SETTLEMENT_PROGRESS_POLL_MS,
  SETTLEMENT_PROGRESS_POLL_TIMEOUT_MS,
  SETTLEMENT_STALL_MS,
} from './settlement.constants';
import { settlementProgressMetrics, type SettlementProgressMetrics } from './settlement.metrics';
import {
  SettlementProgress,
  stallReason,
  type SettlementProgressReport,
} from './settlement-progress';

export interface SettlementProgressGuardOptions {
  readonly kafka: Kafka;
  /** The ledger database (settlement_checkpoints). */
  readonly db: Queryable;
  /** Physical name of `exchange.engine.results`. */
  readonly resultsTopic: string;
  readonly logger?: Logger;
  /** Lagging without progress this long is a stall; default SETTLEMENT_STALL_MS (15 s). */
  readonly stallMs?: number;
  /** Pause between polls; default SETTLEMENT_PROGRESS_POLL_MS (1 s). */
  readonly pollIntervalMs?: number;
  /** Bound on one poll; default SETTLEMENT_PROGRESS_POLL_TIMEOUT_MS (5 s). */
  readonly pollTimeoutMs?: number;
  /** Monotonic clock in ms; `performance.now` by default. */
  readonly now?: () => number;
}

/**
 * Watches settlement's progress on every partition of the results topic (not only the ones this
 * process settles: a partition no member takes up is waiting work too). `start` polls every
 * second until `stop`; `report` and `stallReason` answer from the last successful poll, aged to
 * the moment they are asked. Metrics: settlement_checkpoint_lag_offsets,
 * settlement_seconds_since_progress, settlement_stalled_partitions,
 * settlement_progress_poll_failures_total.
 */
export class SettlementProgressGuard {
  private readonly progress: SettlementProgress;
  private readonly metrics: SettlementProgressMetrics = settlementProgressMetrics();
  private readonly now: () => number;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private running = false;
  /** The last poll failed; its failure has been logged. */
  private failing = false;

  constructor(private readonly options: SettlementProgressGuardOptions) {
    this.progress = new SettlementProgress(options.stallMs ?? SETTLEMENT_STALL_MS);
    this.now = options.now ?? (() => performance.now());
  }

  /** Polls at once and then every poll interval until `stop`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling: waits for the poll in flight (bounded by the poll timeout), closes the admin. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.closeAdmin();
  }

  /** Where settlement stands now, aged to this moment. */
  report(): SettlementProgressReport {
    return this.progress.report(this.now());
  }

  /** Why settlement counts as stalled now, or undefined when it does not. */
  stallReason(): string | undefined {
    return stallReason(this.report());
  }

  /** One poll and its consequences; never throws. Exposed for tests. */
  async pollOnce(): Promise<void> {
    try {
      // A poll that timed out may still answer later; its answer is dropped with it.
      const positions = await this.withTimeout(this.fetchPositions());
      this.progress.observe(positions, this.now());
      if (this.failing) {
        this.failing = false;
        this.options.logger?.info('settlement progress poll answers again');
      }
    } catch (error) {
      this.metrics.pollFailures.inc();
      // The admin may be half-broken (a broker restarted): the next poll opens a new one.
      await this.closeAdmin();
      if (!this.failing) {
        this.failing = true;
        this.options.logger?.warn(
          { err: error, topic: this.options.resultsTopic },
          'settlement progress poll failed; the stall clock keeps running until one succeeds',
        );
      }
    }
    this.publish();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.pollOnce().finally(() => {
        this.polling = undefined;
        if (this.running) this.schedule(this.options.pollIntervalMs ?? SETTLEMENT_PROGRESS_POLL_MS);
      });
    }, delayMs);
  }

  private async fetchPositions(): Promise<PartitionCatchUp[]> {
    let admin = this.admin;
    if (admin === undefined) {
      admin = this.options.kafka.admin({ retry: { retries: 0 } });
      this.admin = admin;
      await admin.connect();
    }
    return settlementCatchUp(this.options.db, admin, this.options.resultsTopic);
  }

  /** Metrics from the report; log lines for stalls that began or ended. */
  private publish(): void {
    const nowMs = this.now();
    const { began, ended } = this.progress.transitions(nowMs);
    const report = this.progress.report(nowMs);
    for (const p of this.progress.partitions(nowMs)) {
      const labels = { partition: String(p.partition) };
      this.metrics.lagOffsets.set(labels, p.lagOffsets);
      this.metrics.secondsSinceProgress.set(labels, p.secondsSinceProgress);
    }
    this.metrics.stalledPartitions.set(report.stalled.length);
    if (began.length > 0) {
      this.options.logger?.error(
        {
          topic: this.options.resultsTopic,
          stalled: began,
          stallBoundSeconds: report.stallBoundSeconds,
        },
        'settlement stalled: the results log is ahead of the checkpoint, which has not moved',
      );
    }
    if (ended.length > 0) {
      this.options.logger?.info(
        { topic: this.options.resultsTopic, partitions: ended, lagOffsets: report.lagOffsets },
        'settlement progresses again after a stall',
      );
    }
  }

  private async withTimeout<T>(promise: Promise<T>): Promise<T> {
    const timeoutMs = this.options.pollTimeoutMs ?? SETTLEMENT_PROGRESS_POLL_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`settlement progress poll took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
      promise.catch(() => undefined);
    }
  }

  private async closeAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
