import { MigrationExecutor, type DataSource, type QueryRunner } from 'typeorm';
import { MIGRATIONS_TABLE_NAME } from './constants';

/**
 * Session advisory lock that serialises schema changes on one database, so that two processes
 * migrating at once (compose services, parallel test setup) queue instead of colliding. It is
 * taken on the connection that runs the migrations, so a pool of one connection suffices.
 */
const MIGRATION_LOCK_KEY_SQL = "hashtext('exchange.migrations')";

async function withMigrationRunner<T>(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY_SQL})`);
    try {
      return await work(runner);
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY_SQL})`);
    }
  } finally {
    await runner.release();
  }
}

/** Anything that runs SQL: a DataSource or a QueryRunner. */
interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

async function appliedOn(runner: Queryable): Promise<string[]> {
  const [{ present }] = (await runner.query('SELECT to_regclass($1) IS NOT NULL AS present', [
    MIGRATIONS_TABLE_NAME,
  ])) as { present: boolean }[];
  if (!present) return [];
  const rows = (await runner.query(
    `SELECT name FROM ${MIGRATIONS_TABLE_NAME} ORDER BY timestamp DESC, id DESC`,
  )) as {
    name: string;
  }[];
  return rows.map((row) => row.name);
}

/**
 * Applies every pending migration in one transaction (all or none) and returns their names,
 * oldest first; an empty list means the schema was up to date.
 */
export async function migrateUp(dataSource: DataSource): Promise<string[]> {
  return withMigrationRunner(dataSource, async (runner) => {
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    return applied.map((migration) => migration.name);
  });
}

/**
 * Reverts the newest applied migration, or all of them with `all`, each in its own transaction.
 * Returns the reverted names, newest first.
 */
export async function migrateDown(
  dataSource: DataSource,
  options: { all?: boolean } = {},
): Promise<string[]> {
  return withMigrationRunner(dataSource, async (runner) => {
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await appliedOn(runner);
    const toRevert = options.all === true ? applied : applied.slice(0, 1);
    for (const _name of toRevert) await executor.undoLastMigration();
    return toRevert;
  });
}
