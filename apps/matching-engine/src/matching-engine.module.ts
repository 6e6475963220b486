import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DatabaseModule, databaseCheck } from '@app/database';
import { KAFKA, MessagingModule, TopicNames, kafkaCheck } from '@app/messaging';
import type { Logger } from '@app/observability';
import { PlatformModule } from '@app/platform';
import { EngineFaultsController } from './engine-faults.controller';
import { EngineRole } from './engine-role';
import { EngineStateController } from './engine-state.controller';
import { EngineLeader } from './leader/engine-leader.service';
import { MatchingEngineSettings } from './matching-engine.settings';

/**
 * Active-standby matching engine. Both processes are live and ready when their dependencies
 * answer and, on the active one, while it makes progress on the commands waiting in the orders
 * log (its progress watchdog); the health output and metrics say which one is active.
 */
@Module({})
export class MatchingEngineModule {
  static forRoot(settings: MatchingEngineSettings, logger: Logger): DynamicModule {
    const role = { provide: EngineRole, useFactory: () => new EngineRole(settings, logger) };
    const leader = {
      provide: EngineLeader,
      inject: [EngineRole, KAFKA, DataSource, TopicNames],
      useFactory: (engineRole: EngineRole, kafka: Kafka, db: DataSource, topics: TopicNames) =>
        new EngineLeader(engineRole, kafka, db, topics, settings, logger),
    };
    return {
      module: MatchingEngineModule,
      imports: [
        DatabaseModule.forRoot({
          url: settings.DATABASE_URL,
          poolSizeMax: settings.DATABASE_POOL_MAX,
          applicationName: 'matching-engine',
        }),
        MessagingModule.forRoot({
          brokers: settings.KAFKA_BROKERS,
          clientId: `matching-engine-${settings.ENGINE_INSTANCE_ID}`,
          topicPrefix: settings.KAFKA_TOPIC_PREFIX,
        }),
        PlatformModule.forRoot({
          imports: [
            {
              module: EngineRoleModule,
              providers: [role, leader],
              controllers: settings.ENGINE_FAULT_HOOKS
                ? [EngineStateController, EngineFaultsController]
                : [EngineStateController],
              exports: [EngineRole, EngineLeader],
            },
          ],
          checks: [
            {
              inject: [DataSource],
              useFactory: (dataSource: DataSource) => databaseCheck(dataSource),
            },
            { inject: [KAFKA], useFactory: (kafka: Kafka) => kafkaCheck(kafka) },
            {
              inject: [EngineLeader],
              useFactory: (engineLeader: EngineLeader) => ({
                name: 'matching',
                check: () => engineLeader.watchdog.check(),
              }),
            },
          ],
          details: {
            inject: [EngineRole, EngineLeader],
            useFactory: (engineRole: EngineRole, engineLeader: EngineLeader) => () => ({
              ...engineRole.details(),
              progress: engineLeader.watchdog.status() ?? null,
            }),
          },
        }),
      ],
    };
  }
}

/**
 * Holds the role, the leader's work and its state endpoint, so that both the health module and
 * the engine's own providers can inject the role.
 */
@Module({})
class EngineRoleModule {}
