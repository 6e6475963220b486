import Redis from 'ioredis';
import type { DependencyCheck } from './readiness';

export interface RedisOptions {
  readonly url: string;
  /** Prepended to every key this client touches. */
  readonly keyPrefix: string;
}

/**
 * A Redis client that fails commands quickly while the server is unreachable (so callers can
 * answer 503 instead of hanging) and reconnects in the background.
 */
export function createRedis(options: RedisOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
}

export function redisCheck(redis: Redis): DependencyCheck {
  return {
    name: 'redis',
    check: async () => {
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    },
  };
}
