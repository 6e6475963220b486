import { Module, type DynamicModule } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { DatabaseModule, databaseCheck } from '@app/database';
import { PlatformModule, REDIS, RedisModule, redisCheck } from '@app/platform';
import type { GatewaySettings } from './gateway.settings';

/** The public entry point. Readiness needs Redis (rate limits, idempotency) and PostgreSQL (API keys). */
@Module({})
export class GatewayModule {
  static forRoot(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        DatabaseModule.forRoot({
          url: settings.DATABASE_URL,
          poolSizeMax: settings.DATABASE_POOL_MAX,
          applicationName: 'gateway',
        }),
        RedisModule.forRoot({ url: settings.REDIS_URL, keyPrefix: settings.REDIS_KEY_PREFIX }),
        PlatformModule.forRoot({
          checks: [
            {
              inject: [DataSource],
              useFactory: (dataSource: DataSource) => databaseCheck(dataSource),
            },
            { inject: [REDIS], useFactory: (redis: Redis) => redisCheck(redis) },
          ],
        }),
      ],
    };
  }
}
