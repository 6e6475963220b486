import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import {
  CONNECT_TIMEOUT_MS_DEFAULT,
  IDLE_IN_TRANSACTION_TIMEOUT_MS_DEFAULT,
  MIGRATIONS_TABLE_NAME,
  POOL_IDLE_TIMEOUT_MS,
  POOL_SIZE_MAX_DEFAULT,
  STATEMENT_TIMEOUT_MS_DEFAULT,
} from './constants';
import { MIGRATIONS } from './migrations';

/** How to reach PostgreSQL and how to bound the connections of one process. */
export interface DatabaseOptions {
  /** `postgres://user[:password]@host:port/database`. */
  url: string;
  /** Connections this process may hold. Default `POOL_SIZE_MAX_DEFAULT` (20). */
  poolSizeMax?: number;
  /** Shown in `pg_stat_activity.application_name`; use the service name. Default `exchange`. */
  applicationName?: string;
  /** Server-side bound on one statement in ms; 0 disables it. Default 10 000. */
  statementTimeoutMs?: number;
  /** Sessions idle inside a transaction longer than this (ms) are killed; 0 disables. Default 60 000. */
  idleInTransactionTimeoutMs?: number;
  /** How long acquiring a connection may take in ms. Default 5 000. */
  connectTimeoutMs?: number;
  /** TypeORM entities, for services that map tables to classes. Default none: plain SQL. */
  entities?: PostgresConnectionOptions['entities'];
}

/**
 * The TypeORM options for the exchange database. The schema is owned by the migrations alone:
 * `synchronize` is always off, and migrations run only when asked (`scripts/migrate.ts`,
 * `createTestDatabase`), never as a side effect of a service starting.
 */
export function dataSourceOptions(options: DatabaseOptions): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName ?? 'exchange',
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE_NAME,
    migrationsTransactionMode: 'all',
    entities: options.entities ?? [],
    logging: false,
    // Passed through to pg.Pool and each pg.Client.
    extra: {
      max: options.poolSizeMax ?? POOL_SIZE_MAX_DEFAULT,
      idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT,
      statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS_DEFAULT,
      idle_in_transaction_session_timeout:
        options.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS_DEFAULT,
    },
  };
}

/** A DataSource for the exchange database, not yet initialized (call `initialize()`). */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}
