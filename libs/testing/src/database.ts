import { createHash } from 'node:crypto';
import {
  MIGRATIONS,
  createDataSource,
  migrateUp,
  quoteIdentifier,
  seedDemoData,
  withDatabaseName,
  withMaintenanceClient,
} from '@app/database';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { newRunId } from './run-id';

// Each test file gets its own database. Running the migrations for every file would cost a few
// hundred milliseconds each, so the migrated schema is built once into a template database
// (named after a hash of the migrations' code, so a changed migration gets a fresh template)
// and each test database is a copy of it: CREATE DATABASE ... TEMPLATE.

const ADMIN_URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/postgres';
const TEMPLATE_PREFIX = 'exchange_tpl_';
const TEMPLATE_BUILD_PREFIX = 'exchange_tplbuild_';
/** Advisory lock (on the maintenance database) held while a template is built. */
const TEMPLATE_LOCK_SQL = "hashtext('exchange.test-template')";
/** A test's pool: tests run a few concurrent transactions at most. */
const TEST_POOL_SIZE_MAX = 5;

export interface TestDatabaseOptions {
  /** Apply all migrations. Default true; false gives an empty database. */
  migrate?: boolean;
  /** Insert the demo seed (assets, markets, fees user, funded alice and bob). Default false. */
  seed?: boolean;
  /** Pool size of the returned DataSource. Default 5. */
  poolSizeMax?: number;
}

export interface TestDatabase {
  /** URL of the new database, for services started as child processes. */
  readonly url: string;
  readonly name: string;
  /** Initialized; closed by `drop()`. */
  readonly dataSource: DataSource;
  /** Closes the DataSource, ends every other session on the database and drops it. Idempotent. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL || ADMIN_URL_DEFAULT;
}

/** A hash of the migrations' names and code: it changes whenever the schema they build does. */
function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const migration of MIGRATIONS) {
    hash.update(migration.name);
    hash.update(migration.prototype.up.toString());
    hash.update(migration.prototype.down.toString());
  }
  return hash.digest('hex').slice(0, 16);
}

async function databaseExists(client: Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return result.rowCount !== 0;
}

async function dropDatabase(client: Client, name: string): Promise<void> {
  // FORCE ends the sessions still connected, services started by the test included (PG 13+).
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
}

/**
 * Builds the template under a temporary name and renames it into place, so that a template that
 * exists is always complete, even if a builder crashed half way.
 */
async function buildTemplate(client: Client, template: string): Promise<void> {
  // Half-built templates of crashed builders; only the lock holder builds, so none is in use.
  const leftovers = await client.query<{ datname: string; datistemplate: boolean }>(
    'SELECT datname, datistemplate FROM pg_database WHERE starts_with(datname, $1)',
    [TEMPLATE_BUILD_PREFIX],
  );
  for (const { datname, datistemplate } of leftovers.rows) {
    if (datistemplate)
      await client.query(`ALTER DATABASE ${quoteIdentifier(datname)} WITH IS_TEMPLATE false`);
    await dropDatabase(client, datname);
  }

  const building = `${TEMPLATE_BUILD_PREFIX}${template.slice(TEMPLATE_PREFIX.length)}`;
  await client.query(`CREATE DATABASE ${quoteIdentifier(building)}`);
  const dataSource = createDataSource({
    url: withDatabaseName(adminUrl(), building),
    poolSizeMax: 1,
    applicationName: 'test-template',
    statementTimeoutMs: 0,
  });
  await dataSource.initialize();
  try {
    await migrateUp(dataSource);
  } finally {
    await dataSource.destroy();
  }
  await client.query(
    `ALTER DATABASE ${quoteIdentifier(building)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
  );
  await client.query(
    `ALTER DATABASE ${quoteIdentifier(building)} RENAME TO ${quoteIdentifier(template)}`,
  );
}

async function ensureTemplate(client: Client): Promise<string> {
  const template = `${TEMPLATE_PREFIX}${migrationsFingerprint()}`;
  if (await databaseExists(client, template)) return template;
  await client.query(`SELECT pg_advisory_lock(${TEMPLATE_LOCK_SQL})`);
  try {
    if (!(await databaseExists(client, template))) await buildTemplate(client, template);
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${TEMPLATE_LOCK_SQL})`);
  }
  return template;
}

/**
 * Creates a database of its own for one test file, named `test_<label>_<unique>`, migrated
 * (unless `migrate: false`) and optionally seeded, with an initialized DataSource. Call `drop()`
 * in `afterAll`; it runs even when tests failed.
 */
export async function createTestDatabase(
  label = 'db',
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const name = `test_${newRunId(label)}`;
  const url = withDatabaseName(adminUrl(), name);

  await withMaintenanceClient(adminUrl(), async (client) => {
    const template = migrate ? await ensureTemplate(client) : 'template0';
    await client.query(
      `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(template)}`,
    );
  });

  const dataSource = createDataSource({
    url,
    poolSizeMax: options.poolSizeMax ?? TEST_POOL_SIZE_MAX,
    applicationName: `test:${label}`,
  });
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    if (dataSource.isInitialized) await dataSource.destroy();
    await withMaintenanceClient(adminUrl(), (client) => dropDatabase(client, name));
  };

  try {
    await dataSource.initialize();
    if (options.seed === true) {
      if (!migrate) throw new Error('createTestDatabase: seed needs migrate');
      await seedDemoData(dataSource);
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, name, dataSource, drop };
}
