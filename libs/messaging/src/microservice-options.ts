import { Transport, type KafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import {
  KAFKA_CONNECTION_TIMEOUT_MS,
  KAFKA_REQUEST_TIMEOUT_MS,
  KAFKA_RETRIES_MAX,
  KAFKA_RETRY_INITIAL_MS,
  KAFKA_RETRY_MAX_MS,
} from './messaging.constants';

export interface KafkaMicroserviceConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Used as given: Nest's default `-server` suffix is switched off. */
  readonly groupId: string;
  /**
   * Whether kafkajs commits positions itself after each batch. Off for consumers that record
   * their own checkpoint (settlement commits it in its database transaction). Default false.
   */
  readonly autoCommit?: boolean;
  /** Where a group with no committed position starts. Default true: lose nothing. */
  readonly fromBeginning?: boolean;
}

/**
 * `@nestjs/microservices` Kafka transport options for `app.connectMicroservice(...)`, with the
 * same client settings as `createKafka` and a read_committed consumer.
 */
export function kafkaMicroserviceOptions(config: KafkaMicroserviceConfig): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: {
        clientId: config.clientId,
        brokers: [...config.brokers],
        connectionTimeout: KAFKA_CONNECTION_TIMEOUT_MS,
        requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
        retry: {
          initialRetryTime: KAFKA_RETRY_INITIAL_MS,
          maxRetryTime: KAFKA_RETRY_MAX_MS,
          retries: KAFKA_RETRIES_MAX,
        },
      },
      consumer: {
        groupId: config.groupId,
        readUncommitted: false,
        allowAutoTopicCreation: false,
      },
      producer: {
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
      },
      subscribe: { fromBeginning: config.fromBeginning ?? true },
      run: { autoCommit: config.autoCommit ?? false },
    },
  };
}
