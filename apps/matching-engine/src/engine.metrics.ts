import { Counter, Gauge, Histogram } from 'prom-client';
import { getOrCreate, metricsRegistry } from '@app/observability';

const registers = [metricsRegistry];
const labelNames = ['shard'] as const;

/** The engine's Prometheus metrics; role and fencing token come from the leader elector's. */
export function engineMetrics() {
  return {
    commands: getOrCreate(
      'engine_commands_total',
      () =>
        new Counter({
          name: 'engine_commands_total',
          help: 'Commands applied and committed (one result each); rate() gives commands/s',
          labelNames,
          registers,
        }),
    ),
    duplicates: getOrCreate(
      'engine_duplicate_commands_total',
      () =>
        new Counter({
          name: 'engine_duplicate_commands_total',
          help: 'Redelivered commands recognised as already applied (no result published)',
          labelNames,
          registers,
        }),
    ),
    batchSize: getOrCreate(
      'engine_batch_commands',
      () =>
        new Histogram({
          name: 'engine_batch_commands',
          help: 'Commands per transaction',
          labelNames,
          buckets: [1, 5, 20, 100, 500, 1000, 2000],
          registers,
        }),
    ),
    matchSeconds: getOrCreate(
      'engine_match_duration_seconds',
      () =>
        new Histogram({
          name: 'engine_match_duration_seconds',
          help: 'Time to apply one batch and build its output records',
          labelNames,
          buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
          registers,
        }),
    ),
    commitSeconds: getOrCreate(
      'engine_transaction_duration_seconds',
      () =>
        new Histogram({
          name: 'engine_transaction_duration_seconds',
          help: 'Time from beginning the Kafka transaction to its commit (send, offsets, commit)',
          labelNames,
          buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
          registers,
        }),
    ),
    failovers: getOrCreate(
      'engine_takeovers_total',
      () =>
        new Counter({
          name: 'engine_takeovers_total',
          help: 'Takeovers completed by this process (lease acquired, book restored, consuming)',
          labelNames,
          registers,
        }),
    ),
    takeoverSeconds: getOrCreate(
      'engine_takeover_duration_seconds',
      () =>
        new Histogram({
          name: 'engine_takeover_duration_seconds',
          help: 'From lease acquired to consuming: fence, read log tail, wait for settlement, restore',
          labelNames,
          buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
          registers,
        }),
    ),
    restores: getOrCreate(
      'engine_restores_total',
      () =>
        new Counter({
          name: 'engine_restores_total',
          help: "Books a new leader took over, by source: warm (the standby's followed book) or cold (database)",
          labelNames: ['shard', 'source'] as const,
          registers,
        }),
    ),
    standbyWarm: getOrCreate(
      'engine_standby_warm',
      () =>
        new Gauge({
          name: 'engine_standby_warm',
          help: '1 while this standby holds a book restored from a snapshot and follows the command log',
          labelNames,
          registers,
        }),
    ),
    standbyCommands: getOrCreate(
      'engine_standby_commands_total',
      () =>
        new Counter({
          name: 'engine_standby_commands_total',
          help: 'Committed commands a warm standby replayed into its book',
          labelNames,
          registers,
        }),
    ),
    inputLag: getOrCreate(
      'engine_input_lag_commands',
      () =>
        new Gauge({
          name: 'engine_input_lag_commands',
          help: "Commands in the orders log past the leader's committed positions (0 on a standby)",
          labelNames,
          registers,
        }),
    ),
    secondsSinceProgress: getOrCreate(
      'engine_seconds_since_progress',
      () =>
        new Gauge({
          name: 'engine_seconds_since_progress',
          help: "How long the leader's position has stood still while commands wait (0 when none wait)",
          labelNames,
          registers,
        }),
    ),
    stalls: getOrCreate(
      'engine_stalls_total',
      () =>
        new Counter({
          name: 'engine_stalls_total',
          help: 'Stalls the progress watchdog acted on, by action: restart (the session) or handover (the lease)',
          labelNames: ['shard', 'action'] as const,
          registers,
        }),
    ),
    restoreMismatches: getOrCreate(
      'engine_restore_hash_mismatches_total',
      () =>
        new Counter({
          name: 'engine_restore_hash_mismatches_total',
          help: 'Restored books whose state hash differed from the last one the log committed',
          labelNames,
          registers,
        }),
    ),
  };
}

export type EngineMetrics = ReturnType<typeof engineMetrics>;
