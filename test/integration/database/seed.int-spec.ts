// Proves the demo seed is idempotent and conserves money: seeding twice leaves every table as it
// was, every asset's ledger sums to zero, and balances equal deposits and the ledger's view of them.
import {
  DEMO_ASSETS,
  DEMO_DEPOSITS,
  FEES_USER_NAME,
  decimalToMinorUnits,
  seedDemoData,
  toBigInt,
} from '@app/database';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import type { DataSource } from 'typeorm';

const TABLES = ['assets', 'markets', 'users', 'balances', 'ledger_entries'];

async function tableContents(dataSource: DataSource): Promise<Record<string, unknown[]>> {
  const contents: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    contents[table] = await dataSource.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
  }
  return contents;
}

describe('demo seed', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('seed');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('inserts everything once and nothing the second time', async () => {
    expect(await seedDemoData(db.dataSource)).toEqual({
      assetsCreated: 3,
      marketsCreated: 2,
      usersCreated: 3,
      depositsRecorded: 6,
    });
    const before = await tableContents(db.dataSource);
    expect(await seedDemoData(db.dataSource)).toEqual({
      assetsCreated: 0,
      marketsCreated: 0,
      usersCreated: 0,
      depositsRecorded: 0,
    });
    expect(await tableContents(db.dataSource)).toEqual(before);
  });

  it('survives concurrent runs without double deposits', async () => {
    const results = await Promise.all([seedDemoData(db.dataSource), seedDemoData(db.dataSource)]);
    expect(results.map((r) => r.depositsRecorded)).toEqual([0, 0]);
  });

  it('creates the fee account as a system user', async () => {
    const [fees] = await db.dataSource.query(`SELECT kind FROM users WHERE name = $1`, [
      FEES_USER_NAME,
    ]);
    expect(fees).toEqual({ kind: 'SYSTEM' });
  });

  it('conserves every asset', async () => {
    for (const { code, scale } of DEMO_ASSETS) {
      const [{ ledger, balances, deposits }] = await db.dataSource.query(
        `SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE asset = $1)::text AS ledger,
                (SELECT coalesce(sum(available + locked), 0) FROM balances WHERE asset = $1)::text AS balances,
                (SELECT coalesce(sum(amount), 0) FROM external_transfers WHERE asset = $1)::text AS deposits`,
        [code],
      );
      const expected = Object.values(DEMO_DEPOSITS).reduce(
        (sum, byAsset) => sum + decimalToMinorUnits(byAsset[code] ?? '0', scale),
        0n,
      );
      expect({
        asset: code,
        ledger: toBigInt(ledger),
        balances: toBigInt(balances),
        deposits: toBigInt(deposits),
      }).toEqual({ asset: code, ledger: 0n, balances: expected, deposits: expected });
    }
  });

  it('has balances equal to what the ledger says each account holds', async () => {
    const mismatches = await db.dataSource.query(`
      SELECT b.user_id, b.asset, b.available, b.locked, a.amount AS ledger_available, l.amount AS ledger_locked
        FROM balances b
        LEFT JOIN ledger_account_totals a ON a.user_id = b.user_id AND a.asset = b.asset AND a.account = 'AVAILABLE'
        LEFT JOIN ledger_account_totals l ON l.user_id = b.user_id AND l.asset = b.asset AND l.account = 'LOCKED'
       WHERE b.available <> coalesce(a.amount, 0) OR b.locked <> coalesce(l.amount, 0)`);
    expect(mismatches).toEqual([]);
  });

  it('funds alice with the documented amounts', async () => {
    const rows: { asset: string; available: string }[] = await db.dataSource.query(
      `SELECT b.asset, b.available FROM balances b JOIN users u ON u.id = b.user_id WHERE u.name = 'alice' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { asset: 'BTC', available: '200000000' },
      { asset: 'ETH', available: '2000000000' },
      { asset: 'USDT', available: '10000000000000' },
    ]);
  });
});
