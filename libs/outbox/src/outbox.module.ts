import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { KAFKA } from '@app/messaging';
import { OutboxError } from './outbox-error';
import { OutboxRelay, type OutboxRelayOptions, type OutboxRelayStatus } from './outbox-relay';

export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

export interface OutboxModuleOptions extends Omit<
  OutboxRelayOptions,
  'kafka' | 'databaseUrl' | 'testHooks'
> {
  /** Run the relay in this process. Writing to the outbox works either way. */
  readonly enabled: boolean;
  /**
   * URL of the relay's own session (LISTEN and the lock need a direct connection, not a
   * transaction pooler). Default: the URL of the application's DataSource.
   */
  readonly databaseUrl?: string;
}

/**
 * Runs the outbox relay of this process from application bootstrap to shutdown, when enabled.
 * Every instance may run one: one of them is active, the others wait on the lock.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay: OutboxRelay | undefined;

  constructor(
    @Inject(OUTBOX_OPTIONS) private readonly options: OutboxModuleOptions,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.enabled) return;
    const { enabled: _enabled, databaseUrl, ...relayOptions } = this.options;
    this.relay = new OutboxRelay({
      ...relayOptions,
      kafka: this.kafka,
      databaseUrl: databaseUrl ?? this.dataSourceUrl(),
    });
    await this.relay.start();
  }

  /** Finishes the batch in flight, then closes the relay's session (freeing the lock). */
  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }

  /** The relay's role and counts; `undefined` when disabled. */
  status(): OutboxRelayStatus | undefined {
    return this.relay?.status();
  }

  private dataSourceUrl(): string {
    const url = (this.dataSource.options as PostgresConnectionOptions).url;
    if (url === undefined) {
      throw new OutboxError(
        'RELAY_STATE',
        'OutboxModule needs databaseUrl: the DataSource has no url',
      );
    }
    return url;
  }
}

/**
 * Nest adapter of the outbox: provides `OutboxRelayService`. Needs the global `DataSource`
 * (DatabaseModule) and `KAFKA` (MessagingModule). Writers call `writeOutbox` directly with
 * their transaction's entity manager or query runner.
 */
@Module({})
export class OutboxModule {
  static forRoot(options: OutboxModuleOptions): DynamicModule {
    return {
      module: OutboxModule,
      providers: [{ provide: OUTBOX_OPTIONS, useValue: options }, OutboxRelayService],
      exports: [OutboxRelayService],
    };
  }
}
