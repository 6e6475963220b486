// Proves the schema itself refuses bad money states: on a seeded database, statements that would
// make a balance or a lock negative, reuse a client order id, leave a lock on a finished order,
// define a market finer than its assets, or edit the ledger fail with the named constraint.
import { createTestDatabase, type TestDatabase } from '@app/testing';

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';
const RESTRICT_VIOLATION = '23001';

describe('schema constraints', () => {
  let db: TestDatabase;
  let aliceId: string;

  beforeAll(async () => {
    db = await createTestDatabase('constraints', { seed: true });
    [{ id: aliceId }] = await db.dataSource.query(`SELECT id FROM users WHERE name = 'alice'`);
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function insertOrder(fields: Record<string, unknown>): Promise<void> {
    const row: Record<string, unknown> = {
      user_id: aliceId,
      symbol: 'BTC-USDT',
      side: 'BUY',
      type: 'LIMIT',
      time_in_force: 'GTC',
      price_ticks: 3_000_000,
      qty_lots: 100,
      lock_asset: 'USDT',
      locked_amount: '3000000000',
      initial_lock: '3000000000',
      lock_journal_id: '00000000-0000-4000-8000-00000000000a',
      ...fields,
    };
    // A field given as undefined is left out of the INSERT.
    const columns = Object.keys(row).filter((column) => row[column] !== undefined);
    await db.dataSource.query(
      `INSERT INTO orders (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((column) => row[column]),
    );
  }

  it('rejects a negative available balance', async () => {
    await expect(
      db.dataSource.query(
        `UPDATE balances SET available = available - 10000000000001 WHERE user_id = $1 AND asset = 'USDT'`,
        [aliceId],
      ),
    ).rejects.toMatchObject({
      code: CHECK_VIOLATION,
      constraint: 'balances_available_non_negative',
    });
  });

  it('rejects a negative locked balance', async () => {
    await expect(
      db.dataSource.query(
        `UPDATE balances SET locked = locked - 1 WHERE user_id = $1 AND asset = 'BTC'`,
        [aliceId],
      ),
    ).rejects.toMatchObject({ code: CHECK_VIOLATION, constraint: 'balances_locked_non_negative' });
  });

  it('rejects a negative order lock', async () => {
    await expect(insertOrder({ locked_amount: '-1' })).rejects.toMatchObject({
      code: CHECK_VIOLATION,
      constraint: 'orders_locked_amount_non_negative',
    });
  });

  it("keeps an order's initial lock non-negative and written once", async () => {
    await expect(insertOrder({ initial_lock: '-1' })).rejects.toMatchObject({
      code: CHECK_VIOLATION,
      constraint: 'orders_initial_lock_non_negative',
    });
    // A writer from before migration 9 names neither column: the initial lock is its lock.
    await insertOrder({
      client_order_id: 'legacy-writer',
      initial_lock: undefined,
      lock_journal_id: undefined,
    });
    const [legacyRow] = await db.dataSource.query(
      `SELECT id, initial_lock::text, lock_journal_id FROM orders
        WHERE user_id = $1 AND client_order_id = 'legacy-writer'`,
      [aliceId],
    );
    expect(legacyRow).toMatchObject({ initial_lock: '3000000000', lock_journal_id: null });
    // Neither column changes after the insert, alone or together with the remaining lock.
    for (const set of [
      `initial_lock = initial_lock + 1`,
      `lock_journal_id = '00000000-0000-4000-8000-00000000000b'`,
      `initial_lock = initial_lock - 1, locked_amount = locked_amount - 1`,
    ]) {
      await expect(
        db.dataSource.query(`UPDATE orders SET ${set} WHERE id = $1`, [legacyRow.id]),
      ).rejects.toMatchObject({ code: RESTRICT_VIOLATION, constraint: 'orders_lock_write_once' });
    }
    // Setting them to what they are, or updating other columns, is allowed.
    await db.dataSource.query(
      `UPDATE orders SET initial_lock = initial_lock, locked_amount = locked_amount - 1 WHERE id = $1`,
      [legacyRow.id],
    );
  });

  it('keeps (user, client_order_id) unique but allows many orders without one', async () => {
    await insertOrder({ client_order_id: 'dup-1' });
    await expect(insertOrder({ client_order_id: 'dup-1' })).rejects.toMatchObject({
      code: UNIQUE_VIOLATION,
      constraint: 'orders_user_client_order_id_key',
    });
    await insertOrder({});
    await insertOrder({});
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM orders WHERE user_id = $1 AND client_order_id IS NULL`,
      [aliceId],
    );
    expect(count).toBe(2);
  });

  it('rejects a finished order that still holds a lock', async () => {
    await expect(insertOrder({ status: 'CANCELLED' })).rejects.toMatchObject({
      code: CHECK_VIOLATION,
      constraint: 'orders_final_holds_no_lock',
    });
    await insertOrder({ status: 'CANCELLED', locked_amount: '0' });
  });

  it('rejects malformed order shapes', async () => {
    await expect(insertOrder({ price_ticks: null })).rejects.toMatchObject({
      constraint: 'orders_limit_has_price',
    });
    await expect(insertOrder({ qty_lots: null })).rejects.toMatchObject({
      constraint: 'orders_size_given',
    });
    await expect(insertOrder({ filled_lots: 101 })).rejects.toMatchObject({
      constraint: 'orders_filled_within_qty',
    });
    await expect(insertOrder({ status: 'REJECTED', locked_amount: '0' })).rejects.toMatchObject({
      constraint: 'orders_rejected_has_code',
    });
  });

  it('rejects a market whose lot or tick x lot is finer than the asset scales', async () => {
    const insertMarket = (symbol: string, tickSize: string, stepSize: string) =>
      db.dataSource.query(
        `INSERT INTO markets (symbol, base_asset, quote_asset, tick_size, step_size, min_qty, max_qty)
         VALUES ($1, 'BTC', 'ETH', $2, $3, $3, 1)`,
        [symbol, tickSize, stepSize],
      );
    await expect(insertMarket('BTC-ETH', '0.01', '0.000000001')).rejects.toMatchObject({
      code: CHECK_VIOLATION,
    });
    await expect(insertMarket('BTC-ETH', '0.0001', '0.00001')).rejects.toMatchObject({
      code: CHECK_VIOLATION,
    });
    await insertMarket('BTC-ETH', '0.001', '0.00001');
  });

  it('keeps the ledger append-only', async () => {
    await expect(
      db.dataSource.query(`UPDATE ledger_entries SET amount = amount + 1`),
    ).rejects.toMatchObject({
      code: RESTRICT_VIOLATION,
    });
    await expect(db.dataSource.query(`DELETE FROM ledger_entries`)).rejects.toMatchObject({
      code: RESTRICT_VIOLATION,
    });
  });
});
