import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AuthModule, parseEncryptionKey } from '@app/auth';
import { DatabaseModule, databaseCheck } from '@app/database';
import { KAFKA, MessagingModule, kafkaCheck } from '@app/messaging';
import { createLogger, type Logger } from '@app/observability';
import { OutboxModule } from '@app/outbox';
import { PlatformModule } from '@app/platform';
import { AccountsModule } from './accounts/accounts.module';
import { API_KEY_ENCRYPTION_KEY } from './accounts/api-key-encryption.token';
import { HttpFoundationModule } from './http/http.module';
import { ORDER_SERVICE_LOGGER } from './http/logger.token';
import { MarketsModule } from './markets/markets.module';
import { ORDER_ENTRY_OPTIONS, type OrderEntryOptions } from './orders/order-entry-options';
import { OrdersModule } from './orders/orders.module';
import { SettlementModule } from './settlement/settlement.module';
import { SettlementProgressModule } from './settlement/settlement-progress.module';
import { SettlementProgressService } from './settlement/settlement-progress.service';
import type { OrderServiceSettings } from './order-service.settings';

/**
 * Order entry (TX1), the outbox relay and settlement (TX2), with the operator and trader
 * endpoints under /api/v1. Readiness needs PostgreSQL and Kafka and, where settlement runs, a
 * settlement that is not stalled (its progress also shows in the health details). Global for
 * its own tokens: the logger and the API key encryption key.
 */
@Module({})
export class OrderServiceModule {
  static forRoot(settings: OrderServiceSettings, logger?: Logger): DynamicModule {
    const log = logger ?? createLogger({ service: 'order-service', level: settings.LOG_LEVEL });
    return {
      module: OrderServiceModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({
          url: settings.DATABASE_URL,
          poolSizeMax: settings.DATABASE_POOL_MAX,
          applicationName: 'order-service',
        }),
        MessagingModule.forRoot({
          brokers: settings.KAFKA_BROKERS,
          clientId: 'order-service',
          topicPrefix: settings.KAFKA_TOPIC_PREFIX,
        }),
        PlatformModule.forRoot({
          imports: [
            SettlementProgressModule.forRoot({
              enabled: settings.SETTLEMENT_ENABLED,
              stallMs: settings.SETTLEMENT_STALL_MS,
            }),
          ],
          checks: [
            {
              inject: [DataSource],
              useFactory: (dataSource: DataSource) => databaseCheck(dataSource),
            },
            { inject: [KAFKA], useFactory: (kafka: Kafka) => kafkaCheck(kafka) },
            // Only a process that runs settlement says whether settlement progresses.
            ...(settings.SETTLEMENT_ENABLED
              ? [
                  {
                    inject: [SettlementProgressService],
                    useFactory: (progress: SettlementProgressService) => progress.readinessCheck(),
                  },
                ]
              : []),
          ],
          details: {
            inject: [SettlementProgressService],
            useFactory: (progress: SettlementProgressService) => () => progress.details(),
          },
        }),
        AuthModule.forRoot({
          internalAuthSecret: settings.INTERNAL_AUTH_SECRET,
          adminApiToken: settings.ADMIN_API_TOKEN,
        }),
        HttpFoundationModule,
        AccountsModule,
        MarketsModule,
        OrdersModule,
        OutboxModule.forRoot({
          enabled: settings.OUTBOX_RELAY_ENABLED,
          databaseUrl: settings.DATABASE_URL,
        }),
        SettlementModule.forRoot({
          enabled: settings.SETTLEMENT_ENABLED,
          sessionTimeoutMs: settings.SETTLEMENT_SESSION_TIMEOUT_MS,
        }),
      ],
      providers: [
        { provide: ORDER_SERVICE_LOGGER, useValue: log },
        {
          provide: API_KEY_ENCRYPTION_KEY,
          useValue: parseEncryptionKey(settings.API_KEY_ENCRYPTION_KEY),
        },
        {
          provide: ORDER_ENTRY_OPTIONS,
          useValue: { packBatches: settings.OUTBOX_PACK_BATCHES } satisfies OrderEntryOptions,
        },
      ],
      exports: [ORDER_SERVICE_LOGGER, API_KEY_ENCRYPTION_KEY, ORDER_ENTRY_OPTIONS],
    };
  }
}
