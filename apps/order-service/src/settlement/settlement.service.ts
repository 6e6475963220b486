import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import {
  KAFKA,
  MESSAGING_OPTIONS,
  TOPICS,
  TopicNames,
  type MessagingModuleOptions,
} from '@app/messaging';
import type { Logger } from '@app/observability';
import {
  SETTLEMENT_RETRY_BACKOFF_MS,
  SettlementConsumer,
  settlementGroupId,
} from '@app/settlement';
import { ORDER_SERVICE_LOGGER } from '../http/logger.token';

export const SETTLEMENT_OPTIONS = Symbol('SETTLEMENT_OPTIONS');

export interface SettlementModuleOptions {
  /** Run the settlement consumer in this process (SETTLEMENT_ENABLED). */
  readonly enabled: boolean;
  /** Kafka session timeout of the consumer (SETTLEMENT_SESSION_TIMEOUT_MS); kafkajs's 30 s when absent. */
  readonly sessionTimeoutMs?: number;
}

/**
 * Runs the settlement consumer from application bootstrap to shutdown, when enabled. Starting
 * does not hold up the bootstrap: if Kafka or the results topic is not there yet, it retries in
 * the background until it can join the group or the service shuts down. Any number of
 * instances may run it; the consumer group spreads the partitions over them.
 */
@Injectable()
export class SettlementService implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: SettlementConsumer | undefined;
  private stopping = false;
  private starting: Promise<void> | undefined;

  constructor(
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementModuleOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingModuleOptions,
    @Inject(ORDER_SERVICE_LOGGER) private readonly logger: Logger,
    private readonly topics: TopicNames,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.starting = this.startWithRetry();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Disconnecting also ends a start that is still connecting; then the retry loop exits.
    await this.consumer?.stop();
    await this.starting;
  }

  private async startWithRetry(): Promise<void> {
    const url = (this.dataSource.options as PostgresConnectionOptions).url ?? '';
    for (let attempt = 1; !this.stopping; attempt++) {
      const consumer = new SettlementConsumer({
        kafka: this.kafka,
        dataSource: this.dataSource,
        resultsTopic: this.topics.of(TOPICS.engineResults.logical),
        userUpdatesTopic: this.topics.of(TOPICS.userUpdates.logical),
        groupId: settlementGroupId(this.messaging.topicPrefix ?? '', url),
        logger: this.logger,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
      });
      try {
        this.consumer = consumer;
        await consumer.start();
        this.logger.info('settlement consumer started');
        return;
      } catch (error) {
        this.consumer = undefined;
        await consumer.stop().catch(() => undefined);
        // Once at warn, then quietly: a service started before its topics exist is normal.
        const level = attempt === 1 ? 'warn' : 'debug';
        this.logger[level]({ err: error }, 'settlement consumer could not start; retrying');
        await new Promise((resolve) => setTimeout(resolve, SETTLEMENT_RETRY_BACKOFF_MS));
      }
    }
  }
}
