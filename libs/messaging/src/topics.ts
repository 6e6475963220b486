import { MessagingError } from './messaging-error';
import { TOPIC_PARTITIONS_MAX } from './messaging.constants';

/**
 * The message contracts of the exchange: every topic, what its records are keyed by, and its
 * default partition count. Producers and consumers both import from here; value schemas live
 * with the domain events, versioned by the `x-schema-version` header.
 *
 * Keying by symbol keeps every command and event of one market in one partition, in order; the
 * kafkajs default partitioner (murmur2, as the Java client) maps keys to partitions.
 */
export const TOPICS = {
  /** Place and cancel commands for the matching engine, from the outbox relay. */
  orders: { logical: 'exchange.orders', key: 'symbol', partitionsDefault: 8 },
  /** One result per command (accepted, filled, rejected, ...), consumed by settlement. */
  engineResults: { logical: 'exchange.engine.results', key: 'symbol', partitionsDefault: 8 },
  /** Public trades for market data. */
  trades: { logical: 'exchange.trades', key: 'symbol', partitionsDefault: 8 },
  /** Order book deltas for market data. */
  book: { logical: 'exchange.book', key: 'symbol', partitionsDefault: 8 },
  /**
   * The engine leader's book snapshots, written in its transactions with the input offsets they
   * cover, from which a standby keeps a warm book. One partition: a few records per shard every
   * ENGINE_SNAPSHOT_INTERVAL_MS.
   */
  engineSnapshots: { logical: 'exchange.engine.snapshots', key: 'shard', partitionsDefault: 1 },
  /** Private order and balance updates, pushed to the owning user. */
  userUpdates: { logical: 'exchange.user-updates', key: 'userId', partitionsDefault: 8 },
  /**
   * The log's side of the exchange's identity (libs/exchange-identity): its first record names
   * the exchange this log belongs to. One partition, so that "first" means one thing, and a count
   * that cannot be overridden. Every record is kept for ever: the delete policy with no time or
   * size limit, not compaction, which keeps only the newest record of a key and would let a later
   * write replace the first.
   */
  meta: {
    logical: 'exchange.meta',
    key: 'kind',
    partitionsDefault: 1,
    partitionsFixed: true,
    configs: { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' },
  },
} as const;

export type TopicId = keyof typeof TOPICS;
export type LogicalTopic = (typeof TOPICS)[TopicId]['logical'];

export const LOGICAL_TOPICS: readonly LogicalTopic[] = Object.values(TOPICS).map((t) => t.logical);

/** Version of the value schemas written now; bump it with a breaking change of any value. */
export const SCHEMA_VERSION = 1;

/** Header names carried on every record. Values are strings. */
export const MESSAGE_HEADERS = {
  /** The request id of the HTTP request that caused the record, for log correlation. */
  requestId: 'x-request-id',
  /** The value schema version, `String(SCHEMA_VERSION)` when written now. */
  schemaVersion: 'x-schema-version',
  /** The id of the command a record carries or answers; unique per command. */
  commandId: 'x-command-id',
} as const;

/** A topic to create: its logical name, partition count and optional broker-side configs. */
export interface TopicSpec {
  readonly logical: string;
  readonly partitions: number;
  readonly configs?: Readonly<Record<string, string>>;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const PREFIX = /^[A-Za-z0-9._-]*$/;

/**
 * The physical topic name: `prefix + logical`. Services use an empty prefix; tests use a per-run
 * prefix such as `t_abc.` (from KAFKA_TOPIC_PREFIX) so runs sharing a broker never collide.
 */
export function topicName(prefix: string, logical: string): string {
  if (!PREFIX.test(prefix)) {
    throw new MessagingError(
      'INVALID_TOPIC_NAME',
      `topic prefix ${JSON.stringify(prefix)} has characters Kafka does not allow`,
    );
  }
  const name = prefix + logical;
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new MessagingError(
      'INVALID_TOPIC_NAME',
      `${JSON.stringify(name)} is not a valid Kafka topic name`,
    );
  }
  return name;
}

/**
 * The specs of all exchange topics, with partition counts from `overrides` (by logical name)
 * where given, else the contract's defaults, and the contract's broker-side configs. A topic with
 * a fixed partition count refuses any other.
 */
export function defaultTopicSpecs(
  overrides: Partial<Record<LogicalTopic, number>> = {},
): TopicSpec[] {
  return Object.values(TOPICS).map((t) => {
    const partitions = overrides[t.logical] ?? t.partitionsDefault;
    assertPartitionCount(t.logical, partitions);
    if ('partitionsFixed' in t && partitions !== t.partitionsDefault) {
      throw new MessagingError(
        'INVALID_PARTITION_COUNT',
        `${t.logical}: must have exactly ${t.partitionsDefault} partition(s), not ${partitions}`,
      );
    }
    return 'configs' in t
      ? { logical: t.logical, partitions, configs: t.configs }
      : { logical: t.logical, partitions };
  });
}

export function assertPartitionCount(logical: string, partitions: number): void {
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > TOPIC_PARTITIONS_MAX) {
    throw new MessagingError(
      'INVALID_PARTITION_COUNT',
      `${logical}: partition count ${partitions} is not an integer in 1..${TOPIC_PARTITIONS_MAX}`,
    );
  }
}
