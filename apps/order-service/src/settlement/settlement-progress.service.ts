import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { KAFKA, TOPICS, TopicNames } from '@app/messaging';
import type { Logger } from '@app/observability';
import type { DependencyCheck } from '@app/platform';
import { SettlementProgressGuard } from '@app/settlement';
import { ORDER_SERVICE_LOGGER } from '../http/logger.token';

export const SETTLEMENT_PROGRESS_OPTIONS = Symbol('SETTLEMENT_PROGRESS_OPTIONS');

export interface SettlementProgressOptions {
  /** This process runs settlement (SETTLEMENT_ENABLED); only then does it watch its progress. */
  readonly enabled: boolean;
  /** Lagging without progress this long is a stall (SETTLEMENT_STALL_MS). */
  readonly stallMs: number;
}

/**
 * Nest adapter of the settlement progress guard: runs it from bootstrap to shutdown when this
 * process runs settlement, and hands its findings to health: a readiness check that fails while
 * a results partition is stalled, and details (lag, seconds since progress) on both endpoints.
 */
@Injectable()
export class SettlementProgressService implements OnApplicationBootstrap, OnApplicationShutdown {
  private guard: SettlementProgressGuard | undefined;

  constructor(
    @Inject(SETTLEMENT_PROGRESS_OPTIONS) private readonly options: SettlementProgressOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(ORDER_SERVICE_LOGGER) private readonly logger: Logger,
    private readonly topics: TopicNames,
    private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.guard = new SettlementProgressGuard({
      kafka: this.kafka,
      db: this.dataSource,
      resultsTopic: this.topics.of(TOPICS.engineResults.logical),
      logger: this.logger,
      stallMs: this.options.stallMs,
    });
    this.guard.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.guard?.stop();
  }

  /** Readiness: down, with the stalled partitions, their lag and idle seconds, while stalled. */
  readinessCheck(): DependencyCheck {
    return {
      name: 'settlement',
      check: async () => {
        const reason = this.guard?.stallReason();
        if (reason !== undefined) throw new Error(reason);
      },
    };
  }

  /** Health details: where settlement stands, when this process runs it. */
  details(): Record<string, unknown> {
    return this.guard === undefined ? {} : { settlement: this.guard.report() };
  }
}
