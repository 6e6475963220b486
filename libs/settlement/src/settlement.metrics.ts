import { Counter, Gauge, Histogram } from 'prom-client';
import { getOrCreate, metricsRegistry } from '@app/observability';

/** Prometheus metrics of settlement; rates (events and trades per second) come from the counters. */
export interface SettlementMetrics {
  readonly events: Counter<'outcome'>;
  readonly trades: Counter;
  readonly batchEvents: Histogram;
  readonly batchSeconds: Histogram;
  readonly lagEvents: Gauge<'partition'>;
  readonly staleTokens: Counter;
  readonly deadlocks: Counter;
  readonly unknownOrders: Counter;
  readonly failures: Counter;
}

function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return getOrCreate(
    name,
    () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }),
  );
}

export function settlementMetrics(): SettlementMetrics {
  return {
    events: counter(
      'settlement_events_total',
      'Engine results consumed by settlement, by outcome (applied, skipped below checkpoint, stale token)',
      ['outcome'],
    ) as Counter<'outcome'>,
    trades: counter('settlement_trades_total', 'Trades settled'),
    batchEvents: getOrCreate(
      'settlement_batch_events',
      () =>
        new Histogram({
          name: 'settlement_batch_events',
          help: 'Engine results per settlement transaction',
          buckets: [1, 10, 50, 100, 250, 500, 1000, 2000],
          registers: [metricsRegistry],
        }),
    ),
    batchSeconds: getOrCreate(
      'settlement_batch_duration_seconds',
      () =>
        new Histogram({
          name: 'settlement_batch_duration_seconds',
          help: 'Duration of one settlement transaction, commit included',
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
          registers: [metricsRegistry],
        }),
    ),
    lagEvents: getOrCreate(
      'settlement_lag_records',
      () =>
        new Gauge({
          name: 'settlement_lag_records',
          help: 'Records of the results topic behind the high watermark, per partition, after a batch',
          labelNames: ['partition'] as const,
          registers: [metricsRegistry],
        }),
    ),
    staleTokens: counter(
      'settlement_stale_token_rejections_total',
      'Engine results rejected because their fencing token is below the highest seen for the shard',
    ),
    deadlocks: counter(
      'settlement_deadlocks_total',
      'Settlement transactions PostgreSQL aborted as deadlock victims (must stay 0)',
    ),
    unknownOrders: counter(
      'settlement_unknown_orders_total',
      'Order updates naming an order the database does not have (a bug; settlement halts)',
    ),
    failures: counter(
      'settlement_batch_failures_total',
      'Settlement batches that failed and will be retried',
    ),
  };
}

/** Prometheus metrics of the settlement progress guard (progress-guard.ts). */
export interface SettlementProgressMetrics {
  readonly lagOffsets: Gauge<'partition'>;
  readonly secondsSinceProgress: Gauge<'partition'>;
  readonly stalledPartitions: Gauge;
  readonly pollFailures: Counter;
}

function partitionGauge(name: string, help: string): Gauge<'partition'> {
  return getOrCreate(
    name,
    () =>
      new Gauge({
        name,
        help,
        labelNames: ['partition'] as const,
        registers: [metricsRegistry],
      }),
  );
}

export function settlementProgressMetrics(): SettlementProgressMetrics {
  return {
    lagOffsets: partitionGauge(
      'settlement_checkpoint_lag_offsets',
      "Offsets of the results topic between settlement's checkpoint and the read-committed end (committed results not yet settled), per partition, polled every second",
    ),
    secondsSinceProgress: partitionGauge(
      'settlement_seconds_since_progress',
      'Seconds the checkpoint has not moved while the results topic is ahead of it, per partition (0 when caught up)',
    ),
    stalledPartitions: getOrCreate(
      'settlement_stalled_partitions',
      () =>
        new Gauge({
          name: 'settlement_stalled_partitions',
          help: 'Results partitions lagging without progress for longer than the stall bound (SETTLEMENT_STALL_MS)',
          registers: [metricsRegistry],
        }),
    ),
    pollFailures: counter(
      'settlement_progress_poll_failures_total',
      'Polls of the settlement progress guard that failed or timed out (Kafka or PostgreSQL not answering)',
    ),
  };
}

/** 0 when the last audit found nothing wrong, else the number of violations it found. */
export function auditViolationsGauge(): Gauge {
  return getOrCreate(
    'exchange_audit_violations',
    () =>
      new Gauge({
        name: 'exchange_audit_violations',
        help: 'Invariant violations found by the last audit (0 = clean)',
        registers: [metricsRegistry],
      }),
  );
}
