import { Partitioners, type Kafka, type Producer, type ProducerConfig } from 'kafkajs';
import {
  KAFKA_RETRY_MAX_MS,
  TRANSACTION_RETRY_INITIAL_MS,
  TRANSACTION_TIMEOUT_MS_DEFAULT,
} from './messaging.constants';

/** Producer settings callers may still choose; the delivery guarantees are fixed below. */
export type ProducerOptions = Omit<
  ProducerConfig,
  'idempotent' | 'maxInFlightRequests' | 'transactionalId' | 'transactionTimeout'
>;

/**
 * A producer whose retries never duplicate or reorder a record within a partition (acks=all,
 * one request in flight, sequence numbers). For the outbox relay and other at-least-once
 * publishers. Uses the Java-compatible partitioner, so a key lands where a Java client puts it.
 *
 * kafkajs retries sends of an idempotent producer without limit unless `retry` is given, and
 * warns when it is; connect() is where it obtains its producer id.
 */
export function createIdempotentProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    ...options,
    idempotent: true,
    maxInFlightRequests: 1,
  });
}

export interface TransactionalProducerOptions extends ProducerOptions {
  /**
   * Stable per logical writer, not per process: the matching engine of shard 3 uses the same id
   * on every node, so that a new leader fences the old one.
   */
  readonly transactionalId: string;
  /** Open transactions older than this are aborted by the broker. Default 30 s. */
  readonly transactionTimeoutMs?: number;
}

/**
 * A transactional producer for consume-process-produce (see `runTransactionalBatch`). After
 * connect(), call `initTransactions` before the first batch: kafkajs registers the
 * transactional id (and fences older producers) only at its first transaction, not at connect.
 */
export function createTransactionalProducer(
  kafka: Kafka,
  { transactionalId, transactionTimeoutMs, ...options }: TransactionalProducerOptions,
): Producer {
  if (transactionalId.length === 0) throw new Error('transactionalId must not be empty');
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    ...options,
    // Unbounded like every kafkajs idempotent producer (a bounded one may reuse a sequence
    // number and lose a record); only the first delay is shortened, see the constant.
    retry: options.retry ?? {
      retries: Number.MAX_SAFE_INTEGER,
      initialRetryTime: TRANSACTION_RETRY_INITIAL_MS,
      maxRetryTime: KAFKA_RETRY_MAX_MS,
    },
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId,
    transactionTimeout: transactionTimeoutMs ?? TRANSACTION_TIMEOUT_MS_DEFAULT,
  });
}
