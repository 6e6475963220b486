// Proves the Nest adapter and the test helper: DatabaseModule gives services an injectable,
// working DataSource with a health check that resolves while it answers and rejects after close, and createTestDatabase
// makes distinct databases that drop() removes even while sessions are still connected.
import { DatabaseModule, checkDatabase, toBigInt } from '@app/database';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

async function databaseExists(dataSource: DataSource, name: string): Promise<boolean> {
  const rows: unknown[] = await dataSource.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    name,
  ]);
  return rows.length > 0;
}

describe('DatabaseModule and createTestDatabase', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('module', { seed: true });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('injects a DataSource that reaches the database and reports health', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRootAsync({ useFactory: () => ({ url: db.url, poolSizeMax: 2 }) }),
      ],
    }).compile();
    await moduleRef.init();
    const dataSource = moduleRef.get(DataSource);
    const [{ total }] = await dataSource.query(
      `SELECT sum(available)::text AS total FROM balances WHERE asset = 'BTC'`,
    );
    expect(toBigInt(total)).toBe(700_000_000n);
    await expect(checkDatabase(dataSource)).resolves.toBeUndefined();
    await moduleRef.close();
    await expect(checkDatabase(dataSource)).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      causes: { database: { status: 'down' } },
    });
  });

  it('creates distinct databases and drops them with sessions still connected', async () => {
    const [a, b] = await Promise.all([createTestDatabase('pair'), createTestDatabase('pair')]);
    const straggler = new Client({ connectionString: a.url });
    // drop() terminates this session on purpose.
    straggler.on('error', () => undefined);
    try {
      expect(a.name).not.toBe(b.name);
      await straggler.connect();
      await a.drop();
      await a.drop();
      await b.drop();
      expect(await databaseExists(db.dataSource, a.name)).toBe(false);
      expect(await databaseExists(db.dataSource, b.name)).toBe(false);
    } finally {
      await straggler.end().catch(() => undefined);
      await a.drop();
      await b.drop();
    }
  });
});
