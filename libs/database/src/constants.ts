// Bounds and defaults of the database layer, each with the reason for its number.

/**
 * Connections one process may hold. Matches `DATABASE_POOL_MAX` in @app/config: enough for the
 * concurrent transactions of one service instance, small enough that several instances and the
 * test suite stay well under PostgreSQL's default `max_connections` of 100.
 */
export const POOL_SIZE_MAX_DEFAULT = 20;

/** An idle pooled connection is closed after this long, so a quiet service gives slots back. */
export const POOL_IDLE_TIMEOUT_MS = 30_000;

/**
 * How long acquiring a connection (from the pool or a new one) may take. A request that cannot
 * get a connection within this is better failed than queued behind an outage.
 */
export const CONNECT_TIMEOUT_MS_DEFAULT = 5_000;

/**
 * Server-side bound on one statement. The order path runs short statements; anything slower than
 * this is a stuck lock or a missing index, and should fail loudly instead of holding a
 * connection. Migrations pass 0 (no limit) because building an index may legitimately take long.
 */
export const STATEMENT_TIMEOUT_MS_DEFAULT = 10_000;

/**
 * A session idle inside an open transaction is killed after this long: it holds row locks
 * (balances, leases) that every other writer waits on, so a leaked transaction must not live.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS_DEFAULT = 60_000;

/**
 * Bound on the readiness probe's `SELECT 1`. Equal to the platform's dependency check bound so
 * that a load balancer's probe (typically 5 s) gets an answer.
 */
export const HEALTH_CHECK_TIMEOUT_MS_DEFAULT = 2_000;

/** Name of TypeORM's bookkeeping table; explicit so that it never collides with a domain table. */
export const MIGRATIONS_TABLE_NAME = 'typeorm_migrations';

/**
 * How often a Nest service retries its first connection, and how long it waits between tries:
 * long enough (about 20 s) to ride out PostgreSQL starting alongside it in docker compose, short
 * enough that a wrong URL fails the deployment quickly.
 */
export const CONNECT_RETRY_ATTEMPTS = 10;
export const CONNECT_RETRY_DELAY_MS = 2_000;
