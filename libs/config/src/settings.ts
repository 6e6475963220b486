import {
  ArrayNotEmpty,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ToInt, ToList } from './converters';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** host:port pairs such as 127.0.0.1:9092. */
const BROKER_PATTERN = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the TypeScript mixin pattern requires any[] here
type Constructor<T = object> = new (...args: any[]) => T;

/**
 * Settings every service shares. Each property is read from the environment variable of the
 * same name; the initialiser is the default used for local runs. Services compose the
 * dependency groups below (`withDatabase(withKafka(BaseSettings))`) and add their own.
 */
export class BaseSettings {
  /** Interface the HTTP server binds to. */
  @IsString()
  HOST = '127.0.0.1';

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** How long graceful shutdown may take before the process exits anyway, in milliseconds. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(120_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}

export function withDatabase<TBase extends Constructor>(Base: TBase) {
  class DatabaseSettings extends Base {
    @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
    DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/exchange';

    /** Upper bound of the connection pool of one process. */
    @ToInt()
    @IsInt()
    @Min(1)
    @Max(200)
    DATABASE_POOL_MAX = 20;
  }
  return DatabaseSettings;
}

export function withKafka<TBase extends Constructor>(Base: TBase) {
  class KafkaSettings extends Base {
    @ToList()
    @ArrayNotEmpty()
    @Matches(BROKER_PATTERN, { each: true, message: 'must be a comma-separated list of host:port' })
    KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

    /** Prepended to every topic name; tests use it to isolate runs on one broker. */
    @Matches(/^[A-Za-z0-9._-]*$/, { message: 'may contain only letters, digits, ".", "_" and "-"' })
    @MaxLength(100)
    KAFKA_TOPIC_PREFIX = '';
  }
  return KafkaSettings;
}

export function withRedis<TBase extends Constructor>(Base: TBase) {
  class RedisSettings extends Base {
    @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
    REDIS_URL = 'redis://127.0.0.1:6379';

    /** Prepended to every Redis key; tests use it to isolate runs on one server. */
    @IsString()
    @MinLength(1)
    @MaxLength(100)
    REDIS_KEY_PREFIX = 'ex:';
  }
  return RedisSettings;
}
