import { Counter, Gauge, Histogram } from 'prom-client';
import { getOrCreate, metricsRegistry } from '@app/observability';

/** The relay's Prometheus metrics, labelled by outbox (the relay's lock name). */
export interface OutboxMetrics {
  /** Unpublished rows, as last counted by the active relay (0 on a standby). */
  readonly pendingRows: Gauge<'outbox'>;
  /** Kafka records those rows hold (a multi-message row counts each message; 0 on a standby). */
  readonly pendingMessages: Gauge<'outbox'>;
  /** Age in seconds of the oldest unpublished row, as last seen by the active relay. */
  readonly oldestPendingAgeSeconds: Gauge<'outbox'>;
  /** Rows per batch sent to Kafka. */
  readonly publishBatchSize: Histogram<'outbox'>;
  /** Seconds from sending a batch to Kafka's acknowledgement of all of it. */
  readonly publishLatencySeconds: Histogram<'outbox'>;
  /** Rows acknowledged by Kafka (a row redelivered after a crash counts again). */
  readonly publishedTotal: Counter<'outbox'>;
  /** Kafka records acknowledged: a multi-message row counts each of its messages. */
  readonly publishedMessagesTotal: Counter<'outbox'>;
  /** Failed rounds (Kafka or PostgreSQL), each followed by a backoff. */
  readonly errorsTotal: Counter<'outbox' | 'stage'>;
  /** 1 while this process holds the outbox's relay lock and publishes. */
  readonly relayActive: Gauge<'outbox'>;
}

/** The metrics, registered once per process in the shared registry. */
export function outboxMetrics(): OutboxMetrics {
  const registers = [metricsRegistry];
  return {
    pendingRows: getOrCreate(
      'outbox_pending_rows',
      () =>
        new Gauge({
          name: 'outbox_pending_rows',
          help: 'Unpublished outbox rows (reported by the active relay)',
          labelNames: ['outbox'],
          registers,
        }),
    ),
    pendingMessages: getOrCreate(
      'outbox_pending_messages',
      () =>
        new Gauge({
          name: 'outbox_pending_messages',
          help: 'Kafka records held by unpublished outbox rows (reported by the active relay)',
          labelNames: ['outbox'],
          registers,
        }),
    ),
    oldestPendingAgeSeconds: getOrCreate(
      'outbox_oldest_pending_age_seconds',
      () =>
        new Gauge({
          name: 'outbox_oldest_pending_age_seconds',
          help: 'Age of the oldest unpublished outbox row (reported by the active relay)',
          labelNames: ['outbox'],
          registers,
        }),
    ),
    publishBatchSize: getOrCreate(
      'outbox_publish_batch_size',
      () =>
        new Histogram({
          name: 'outbox_publish_batch_size',
          help: 'Rows per batch the outbox relay sent to Kafka',
          labelNames: ['outbox'],
          buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
          registers,
        }),
    ),
    publishLatencySeconds: getOrCreate(
      'outbox_publish_latency_seconds',
      () =>
        new Histogram({
          name: 'outbox_publish_latency_seconds',
          help: 'Time from sending an outbox batch to Kafka until it was acknowledged',
          labelNames: ['outbox'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
          registers,
        }),
    ),
    publishedTotal: getOrCreate(
      'outbox_published_total',
      () =>
        new Counter({
          name: 'outbox_published_total',
          help: 'Outbox rows acknowledged by Kafka',
          labelNames: ['outbox'],
          registers,
        }),
    ),
    publishedMessagesTotal: getOrCreate(
      'outbox_published_messages_total',
      () =>
        new Counter({
          name: 'outbox_published_messages_total',
          help: 'Kafka records acknowledged for outbox rows (a multi-message row counts each)',
          labelNames: ['outbox'],
          registers,
        }),
    ),
    errorsTotal: getOrCreate(
      'outbox_relay_errors_total',
      () =>
        new Counter({
          name: 'outbox_relay_errors_total',
          help: 'Failed outbox relay rounds by stage (database, kafka)',
          labelNames: ['outbox', 'stage'],
          registers,
        }),
    ),
    relayActive: getOrCreate(
      'outbox_relay_active',
      () =>
        new Gauge({
          name: 'outbox_relay_active',
          help: '1 while this process is the active outbox relay',
          labelNames: ['outbox'],
          registers,
        }),
    ),
  };
}
