// Schema CLI: `node -r @swc-node/register scripts/migrate.ts up | down [--all] | seed | drop`.
// Reads DATABASE_URL (default: the local exchange database). Exits non-zero with a message on
// any failure, so that a deployment step or a test setup stops there. `drop` deletes the whole
// database (ending its sessions): for `npm run up -- --reset`, which wipes the local broker with
// it, never for a database whose log lives on.
import {
  createDataSource,
  databaseNameOf,
  ensureDatabaseExists,
  migrateDown,
  migrateUp,
  quoteIdentifier,
  redactUrl,
  seedDemoData,
  withMaintenanceClient,
} from '@app/database';
import type { DataSource } from 'typeorm';

const DATABASE_URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/exchange';
const USAGE = 'usage: migrate.ts up | down [--all] | seed | drop';

async function withDataSource<T>(
  url: string,
  work: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  // One connection, no statement timeout: building an index on a large table may take long.
  const dataSource = createDataSource({
    url,
    poolSizeMax: 1,
    applicationName: 'migrate',
    statementTimeoutMs: 0,
  });
  await dataSource.initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function up(url: string, dataSource: DataSource): Promise<void> {
  const applied = await migrateUp(dataSource);
  if (applied.length === 0) console.log(`${databaseNameOf(url)}: schema is up to date`);
  for (const name of applied) console.log(`applied ${name}`);
}

async function main(args: string[]): Promise<void> {
  const [command, ...flags] = args;
  const url = process.env.DATABASE_URL || DATABASE_URL_DEFAULT;
  console.log(`database ${redactUrl(url)}`);
  switch (command) {
    case 'up':
    case 'seed': {
      if (await ensureDatabaseExists(url)) console.log(`created database ${databaseNameOf(url)}`);
      await withDataSource(url, async (dataSource) => {
        await up(url, dataSource);
        if (command === 'seed') {
          const seeded = await seedDemoData(dataSource);
          console.log(
            `seeded: ${seeded.assetsCreated} assets, ${seeded.marketsCreated} markets, ` +
              `${seeded.usersCreated} users, ${seeded.depositsRecorded} deposits created`,
          );
        }
      });
      return;
    }
    case 'down': {
      const unknown = flags.filter((flag) => flag !== '--all');
      if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}; ${USAGE}`);
      await withDataSource(url, async (dataSource) => {
        const reverted = await migrateDown(dataSource, { all: flags.includes('--all') });
        if (reverted.length === 0) console.log('no migration applied; nothing to revert');
        for (const name of reverted) console.log(`reverted ${name}`);
      });
      return;
    }
    case 'drop': {
      const name = databaseNameOf(url);
      // FORCE ends the sessions still connected (PostgreSQL 13 and later).
      await withMaintenanceClient(url, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      );
      console.log(`dropped database ${name}`);
      return;
    }
    default:
      throw new Error(command === undefined ? USAGE : `unknown command ${command}; ${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`migrate failed: ${message}`);
  process.exitCode = 1;
});
