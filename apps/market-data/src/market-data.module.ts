import { Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { KAFKA, MessagingModule, kafkaCheck } from '@app/messaging';
import { PlatformModule, REDIS, RedisModule, redisCheck } from '@app/platform';
import type { MarketDataSettings } from './market-data.settings';

/** Fans engine events out to Socket.IO clients. Readiness needs Kafka and Redis. */
@Module({})
export class MarketDataModule {
  static forRoot(settings: MarketDataSettings): DynamicModule {
    return {
      module: MarketDataModule,
      imports: [
        MessagingModule.forRoot({
          brokers: settings.KAFKA_BROKERS,
          clientId: 'market-data',
          topicPrefix: settings.KAFKA_TOPIC_PREFIX,
        }),
        RedisModule.forRoot({ url: settings.REDIS_URL, keyPrefix: settings.REDIS_KEY_PREFIX }),
        PlatformModule.forRoot({
          checks: [
            { inject: [KAFKA], useFactory: (kafka: Kafka) => kafkaCheck(kafka) },
            { inject: [REDIS], useFactory: (redis: Redis) => redisCheck(redis) },
          ],
        }),
      ],
    };
  }
}
