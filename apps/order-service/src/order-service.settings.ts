import { IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import {
  DEVELOPMENT_ADMIN_API_TOKEN,
  DEVELOPMENT_API_KEY_ENCRYPTION_KEY,
  DEVELOPMENT_INTERNAL_AUTH_SECRET,
  ProductionSecret,
} from '@app/auth';
import { BaseSettings, ToBoolean, ToInt, withDatabase, withKafka } from '@app/config';
import { SETTLEMENT_STALL_MS } from '@app/settlement';

export const NODE_ENVS = ['development', 'test', 'production'] as const;

/** Shortest INTERNAL_AUTH_SECRET: 32 characters of an HMAC key leave no room to guess. */
export const INTERNAL_AUTH_SECRET_LENGTH_MIN = 32;

/** Shortest ADMIN_API_TOKEN: 24 random characters are far beyond online guessing. */
export const ADMIN_API_TOKEN_LENGTH_MIN = 24;

/** order-service reads these environment variables (see README, Configuration). */
export class OrderServiceSettings extends withKafka(withDatabase(BaseSettings)) {
  override PORT = 3001;

  /** `production` refuses the development defaults of the secrets below. */
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  /** HMAC key of the identities the gateway forwards (x-user-id, x-auth-ts, x-auth-sig). */
  @ProductionSecret(DEVELOPMENT_INTERNAL_AUTH_SECRET)
  @IsString()
  @MinLength(INTERNAL_AUTH_SECRET_LENGTH_MIN)
  INTERNAL_AUTH_SECRET = '';

  /** Bearer token of the operator endpoints (/api/v1/admin/...). */
  @ProductionSecret(DEVELOPMENT_ADMIN_API_TOKEN)
  @IsString()
  @MinLength(ADMIN_API_TOKEN_LENGTH_MIN)
  ADMIN_API_TOKEN = '';

  /** AES-256-GCM key (64 hex characters) that encrypts API key secrets at rest. */
  @ProductionSecret(DEVELOPMENT_API_KEY_ENCRYPTION_KEY)
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'must be 64 hex characters (32 bytes)' })
  API_KEY_ENCRYPTION_KEY = '';

  /**
   * Whether this process runs the outbox relay. Any number of instances may: an advisory lock
   * keeps exactly one active; the others stand by.
   */
  @ToBoolean()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  /**
   * Whether a batch's place commands share one multi-message outbox row (migration 8) instead of
   * a row each. Only relays of this release and later expand such rows: a relay of an earlier
   * release would publish the whole frame as one record and lose those orders. Turn it on only
   * once every order-service of the database runs this release; to roll back, turn it off, wait
   * until `SELECT count(*) FROM outbox WHERE messages IS NOT NULL` is 0, then roll back.
   */
  @ToBoolean()
  @IsBoolean()
  OUTBOX_PACK_BATCHES = true;

  /**
   * Whether this process runs the settlement consumer (TX2). Any number of instances may: the
   * consumer group spreads the results topic's partitions over them.
   */
  @ToBoolean()
  @IsBoolean()
  SETTLEMENT_ENABLED = true;

  /**
   * Kafka session timeout of the settlement consumer, in milliseconds: how long a crashed
   * order-service keeps its results partitions before another member (or its own restart) takes
   * them over. Settlement stands still that long after a crash; the broker accepts 6,000 and up.
   */
  @ToInt()
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  SETTLEMENT_SESSION_TIMEOUT_MS = 10_000;

  /**
   * How long, in milliseconds, the results log may stay ahead of a partition's settlement
   * checkpoint without the checkpoint moving before this process (when it runs settlement)
   * reports settlement stalled: /health/ready fails and the stall is logged and counted. Longer
   * than a rebalance after a crash (SETTLEMENT_SESSION_TIMEOUT_MS plus a few seconds); tests
   * shorten it. At least 2 s, two polls of the guard.
   */
  @ToInt()
  @IsInt()
  @Min(2_000)
  @Max(600_000)
  SETTLEMENT_STALL_MS = SETTLEMENT_STALL_MS;
}
