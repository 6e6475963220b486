// Proves the database still refuses every order reference the foreign keys refused after migration 7 made the checks statement-level: orders naming an unknown user, market or asset (insert and update), and deleting or renaming what orders name, also against a concurrent transaction; real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@app/testing';

const ORDER_REF = { code: '23503', constraint: 'orders_references' };

/** What one order row names; the rest is a valid limit buy. */
interface OrderRefs {
  userId: string;
  symbol: string;
  lockAsset: string;
}

describe('order references (migration 7)', () => {
  let db: TestDatabase;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    db = await createTestDatabase('orderrefs', { seed: true });
    const users = (await db.dataSource.query(
      `SELECT id::text AS id, name FROM users WHERE name IN ('alice', 'bob')`,
    )) as { id: string; name: string }[];
    alice = users.find((u) => u.name === 'alice')!.id;
    bob = users.find((u) => u.name === 'bob')!.id;
  });

  afterAll(async () => {
    await db?.drop();
  });

  /** One statement inserting `rows` as limit buys (with `ids` when given); returns their ids. */
  function insertOrders(
    m: EntityManager | TestDatabase['dataSource'],
    rows: OrderRefs[],
    ids = rows.map(() => randomUUID()),
  ) {
    return m
      .query(
        `INSERT INTO orders (id, user_id, symbol, side, type, time_in_force, price_ticks, qty_lots,
                             lock_asset, locked_amount, initial_lock, lock_journal_id)
         SELECT id, u, s, 'BUY', 'LIMIT', 'GTC', 100, 1, a, 1, 1, gen_random_uuid()
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS o(id, u, s, a)`,
        [ids, rows.map((r) => r.userId), rows.map((r) => r.symbol), rows.map((r) => r.lockAsset)],
      )
      .then(() => ids);
  }

  async function ordersNamed(ids: string[]): Promise<number> {
    const [{ n }] = (await db.dataSource.query(
      `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { n: number }[];
    return n;
  }

  const good = (userId: string): OrderRefs => ({ userId, symbol: 'BTC-USDT', lockAsset: 'USDT' });

  it('accepts a statement of orders naming several existing users, markets and assets', async () => {
    const ids = await insertOrders(db.dataSource, [
      good(alice),
      { userId: bob, symbol: 'ETH-USDT', lockAsset: 'ETH' },
      good(bob),
    ]);
    expect(await ordersNamed(ids)).toBe(3);
  });

  it.each([
    ['an unknown user', { userId: randomUUID() }],
    ['an unknown market', { symbol: 'DOGE-USDT' }],
    ['an unknown asset', { lockAsset: 'DOGE' }],
  ])('refuses a statement in which one order names %s, writing none', async (_label, change) => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await expect(
      insertOrders(db.dataSource, [good(alice), { ...good(bob), ...change }, good(alice)], ids),
    ).rejects.toMatchObject(ORDER_REF);
    // A single row is refused the same way.
    await expect(
      insertOrders(db.dataSource, [{ ...good(alice), ...change }], [ids[1]]),
    ).rejects.toMatchObject(ORDER_REF);
    expect(await ordersNamed(ids)).toBe(0);
    const [{ n }] = (await db.dataSource.query(
      `SELECT count(*)::int AS n FROM orders
        WHERE user_id NOT IN ($1, $2) OR symbol NOT IN ('BTC-USDT', 'ETH-USDT')
           OR lock_asset NOT IN ('USDT', 'ETH')`,
      [alice, bob],
    )) as { n: number }[];
    expect(n).toBe(0);
  });

  it('refuses an update that makes an order name an unknown user, market or asset', async () => {
    const [id] = await insertOrders(db.dataSource, [good(alice)]);
    for (const set of [
      `user_id = '${randomUUID()}'`,
      `symbol = 'DOGE-USDT'`,
      `lock_asset = 'DOGE'`,
    ]) {
      await expect(
        db.dataSource.query(`UPDATE orders SET ${set} WHERE id = $1`, [id]),
      ).rejects.toMatchObject(ORDER_REF);
    }
    // The control: the same columns set to what exists, and updates of other columns, pass.
    await db.dataSource.query(
      `UPDATE orders SET user_id = $2, symbol = 'ETH-USDT', lock_asset = 'ETH' WHERE id = $1`,
      [id, bob],
    );
    await db.dataSource.query(`UPDATE orders SET status = 'OPEN' WHERE id = $1`, [id]);
    const [row] = (await db.dataSource.query(
      `SELECT user_id::text AS user_id, symbol, lock_asset, status FROM orders WHERE id = $1`,
      [id],
    )) as Record<string, string>[];
    expect(row).toEqual({ user_id: bob, symbol: 'ETH-USDT', lock_asset: 'ETH', status: 'OPEN' });
  });

  it('refuses deleting or renaming a user, market or asset that orders name', async () => {
    // A user, market and asset that only orders name (no balance, ledger entry or trade), so
    // that no foreign key but the orders' own guards is there to refuse.
    await db.dataSource.query(`INSERT INTO assets (code, scale) VALUES ('ZZB', 8), ('ZZL', 8)`);
    await db.dataSource.query(
      `INSERT INTO markets (symbol, base_asset, quote_asset, tick_size, step_size, min_qty, max_qty)
       VALUES ('ZZB-USDT', 'ZZB', 'USDT', 0.01, 0.001, 0.001, 1000)`,
    );
    const [{ id: userId }] = (await db.dataSource.query(
      `INSERT INTO users (name) VALUES ('orders-only') RETURNING id::text AS id`,
    )) as { id: string }[];
    await insertOrders(db.dataSource, [{ userId, symbol: 'ZZB-USDT', lockAsset: 'ZZL' }]);

    for (const statement of [
      [`DELETE FROM users WHERE id = $1`, [userId]],
      [`UPDATE users SET id = gen_random_uuid() WHERE id = $1`, [userId]],
      [`DELETE FROM markets WHERE symbol = 'ZZB-USDT'`, []],
      [`UPDATE markets SET symbol = 'ZZC-USDT' WHERE symbol = 'ZZB-USDT'`, []],
      [`DELETE FROM assets WHERE code = 'ZZL'`, []],
      [`UPDATE assets SET code = 'ZZM' WHERE code = 'ZZL'`, []],
    ] as const) {
      await expect(db.dataSource.query(statement[0], [...statement[1]])).rejects.toMatchObject(
        ORDER_REF,
      );
    }
    // Updating other columns, and deleting what nothing names, still work.
    await db.dataSource.query(`UPDATE users SET name = 'orders-only-2' WHERE id = $1`, [userId]);
    await db.dataSource.query(`UPDATE markets SET status = 'HALTED' WHERE symbol = 'ZZB-USDT'`);
    await db.dataSource.query(`UPDATE assets SET scale = 7 WHERE code = 'ZZL'`);
    await db.dataSource.query(`INSERT INTO users (name) VALUES ('nobody')`);
    await db.dataSource.query(`DELETE FROM users WHERE name = 'nobody'`);
    await db.dataSource.query(`INSERT INTO assets (code, scale) VALUES ('ZZN', 0)`);
    await db.dataSource.query(`DELETE FROM assets WHERE code = 'ZZN'`);
  });

  it('refuses a delete and an insert that race, whichever locks first', async () => {
    const newUser = async (name: string) =>
      (
        (await db.dataSource.query(
          `INSERT INTO users (name) VALUES ($1) RETURNING id::text AS id`,
          [name],
        )) as { id: string }[]
      )[0].id;
    const first = db.dataSource.createQueryRunner();
    const second = db.dataSource.createQueryRunner();
    /** Resolves once `runner`'s backend waits for a lock, so the interleaving is the intended one. */
    const blockedOnLock = async (pid: number) => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const [{ waiting }] = (await db.dataSource.query(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE pid = $1 AND wait_event_type = 'Lock'`,
          [pid],
        )) as { waiting: number }[];
        if (waiting === 1) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`backend ${pid} never waited for a lock`);
    };
    try {
      const [{ pid }] = (await second.query(`SELECT pg_backend_pid() AS pid`)) as {
        pid: number;
      }[];
      // The insert holds its KEY SHARE lock: the delete waits, then sees the committed order.
      const inserted = await newUser('race-insert-first');
      await first.startTransaction();
      await insertOrders(first.manager, [good(inserted)]);
      // The expectation is taken at once, so the rejection is handled whenever it arrives.
      const deleteRefused = expect(
        second.query(`DELETE FROM users WHERE id = $1`, [inserted]),
      ).rejects.toMatchObject(ORDER_REF);
      await blockedOnLock(pid);
      await first.commitTransaction();
      await deleteRefused;

      // The delete holds the row lock: the insert waits, then finds the user gone.
      const deleted = await newUser('race-delete-first');
      await first.startTransaction();
      await first.query(`DELETE FROM users WHERE id = $1`, [deleted]);
      const insertRefused = expect(
        insertOrders(second.manager, [good(deleted)]),
      ).rejects.toMatchObject(ORDER_REF);
      await blockedOnLock(pid);
      await first.commitTransaction();
      await insertRefused;
      const [{ n }] = (await db.dataSource.query(
        `SELECT count(*)::int AS n FROM orders WHERE user_id = ANY($1::uuid[])`,
        [[deleted]],
      )) as { n: number }[];
      expect(n).toBe(0);
    } finally {
      if (first.isTransactionActive) await first.rollbackTransaction();
      await first.release();
      await second.release();
    }
  });
});
