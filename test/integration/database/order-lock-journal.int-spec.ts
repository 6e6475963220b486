// Proves migration 1790000000009 (netted LOCK entries for batches) on real PostgreSQL: `up` fills
// in each existing order's initial lock and lock journal from its own LOCK entries and refuses an
// order without them; the previous release's TX1 keeps working after it; TX1 then writes one pair
// per asset for a batch, which the auditor accepts; `down` refuses a netted pair that differs from
// its orders, else writes one correcting journal that gives every batch order its own LOCK pair
// again (balances unchanged, journals balanced), and a second `up` leaves an auditable database.
import { randomUUID } from 'node:crypto';
import type { PlaceOrderCommand } from '@app/domain';
import { MIGRATIONS, migrateDown, migrateUp } from '@app/database';
import { AUDIT_CHECKS } from '@app/settlement';
import { createTestDatabase, expectAuditClean, type TestDatabase } from '@app/testing';
import { insertOrders, type NewOrder } from '@app/order-entry';

const MIGRATION = 'OrderLockJournal1790000000009';
/** Migrations added after 9: this test reverts them first to move 9, and 9's `up` re-applies them. */
const LATER = MIGRATIONS.map((migration) => migration.name).slice(
  MIGRATIONS.findIndex((migration) => migration.name === MIGRATION) + 1,
);
/** A buy of 1 000 lots (0.1 BTC) at `price` USDT locks price x 0.1 USDT: 10^7 x price minor. */
const lockOf = (price: number) => BigInt(price) * 10_000_000n;

describe('migration 9: order lock journals', () => {
  let db: TestDatabase;
  let alice: string;

  beforeAll(async () => {
    db = await createTestDatabase('lockjournal', { seed: true });
    [{ id: alice }] = await db.dataSource.query(`SELECT id FROM users WHERE name = 'alice'`);
    await revertLater();
    expect(await migrateDown(db.dataSource)).toEqual([MIGRATION]);
  });

  /** Reverts the migrations after 9, newest first, so that the next `migrateDown` is 9's. */
  async function revertLater(): Promise<void> {
    for (const name of [...LATER].reverse())
      expect(await migrateDown(db.dataSource)).toEqual([name]);
  }

  afterAll(async () => {
    await db?.drop();
  });

  /** Orders as TX1 wrote them before migration 9: a LOCK pair per order, one journal per TX1. */
  async function placeLegacy(prices: number[]): Promise<string[]> {
    const ids = prices.map(() => randomUUID());
    const locks = prices.map((p) => lockOf(p).toString());
    await db.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE balances SET available = available - $2, locked = locked + $2
          WHERE user_id = $1 AND asset = 'USDT'`,
        [alice, String(prices.reduce((sum, p) => sum + lockOf(p), 0n))],
      );
      await m.query(
        `INSERT INTO orders (id, user_id, symbol, side, type, time_in_force, price_ticks, qty_lots,
                             lock_asset, locked_amount)
         SELECT id, $1, 'BTC-USDT', 'BUY', 'LIMIT', 'GTC', p * 100, 1000, 'USDT', l
           FROM unnest($2::uuid[], $3::bigint[], $4::numeric[]) AS o(id, p, l)`,
        [alice, ids, prices, locks],
      );
      await m.query(
        `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
         SELECT j.id, $1, e.account, 'USDT', CASE e.account WHEN 'AVAILABLE' THEN -o.l ELSE o.l END,
                'LOCK', 'ORDER', o.id::text
           FROM unnest($2::uuid[], $3::numeric[]) AS o(id, l)
          CROSS JOIN (VALUES ('AVAILABLE'), ('LOCKED')) AS e(account)
          CROSS JOIN (SELECT gen_random_uuid() AS id) j`,
        [alice, ids, locks],
      );
    });
    return ids;
  }

  /** A batch through today's TX1: one netted LOCK pair. */
  async function placeBatch(prices: number[]): Promise<string[]> {
    const orders: NewOrder[] = prices.map((price) => {
      const command: PlaceOrderCommand = {
        type: 'place',
        commandId: randomUUID(),
        orderId: randomUUID(),
        userId: alice,
        symbol: 'BTC-USDT',
        side: 'BUY',
        orderType: 'LIMIT',
        timeInForce: 'GTC',
        priceTicks: price * 100,
        qtyLots: 1000,
        timestampMs: Date.now(),
      };
      return { command, apiType: 'LIMIT', lockAsset: 'USDT', lockMinor: lockOf(price) };
    });
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await insertOrders(runner, alice, orders, 'olj.exchange.orders', true);
      expect(result.placed).toBe(true);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }
    return orders.map((o) => o.command.orderId);
  }

  /** Per order: what its own (ref_type ORDER) LOCK entries locked. */
  async function perOrderLocks(ids: string[]): Promise<Map<string, string>> {
    const rows: { id: string; locked: string }[] = await db.dataSource.query(
      `SELECT ref_id AS id, sum(amount)::text AS locked FROM ledger_entries
        WHERE reason = 'LOCK' AND ref_type = 'ORDER' AND account = 'LOCKED' AND ref_id = ANY($1)
        GROUP BY ref_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.locked]));
  }

  /** The auditor's checks that read no column of migration 9. */
  async function ledgerChecks(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const check of AUDIT_CHECKS.filter((c) =>
      ['conservation', 'balances_match_ledger', 'journals_balanced'].includes(c.name),
    )) {
      result[check.name] = ((await db.dataSource.query(check.sql)) as unknown[]).length;
    }
    return result;
  }

  it('fills in the initial locks of existing orders, and refuses an order without LOCK entries', async () => {
    const legacyBatch = await placeLegacy([100, 110, 120]);
    const legacySingle = await placeLegacy([130]);

    // An order whose lock the ledger does not show stops the migration, which changes nothing.
    const [orphan] = await db.dataSource.query(
      `INSERT INTO orders (user_id, symbol, side, type, time_in_force, price_ticks, qty_lots,
                           lock_asset, locked_amount)
       VALUES ($1, 'BTC-USDT', 'BUY', 'LIMIT', 'GTC', 100, 1, 'USDT', 0) RETURNING id`,
      [alice],
    );
    await expect(migrateUp(db.dataSource)).rejects.toThrow(
      `order ${orphan.id as string} has no LOCK entries in exactly one journal`,
    );
    const [{ columns }] = await db.dataSource.query(
      `SELECT count(*)::int AS columns FROM information_schema.columns
        WHERE table_name = 'orders' AND column_name IN ('initial_lock', 'lock_journal_id')`,
    );
    expect(columns).toBe(0);
    await db.dataSource.query(`DELETE FROM orders WHERE id = $1`, [orphan.id]);

    expect(await migrateUp(db.dataSource)).toEqual([MIGRATION, ...LATER]);
    const rows: { id: string; initial_lock: string; lock_journal_id: string; journal: string }[] =
      await db.dataSource.query(
        `SELECT o.id::text, o.initial_lock::text, o.lock_journal_id::text,
                (SELECT DISTINCT journal_id::text FROM ledger_entries
                  WHERE ref_type = 'ORDER' AND ref_id = o.id::text) AS journal
           FROM orders o WHERE o.id = ANY($1::uuid[])`,
        [[...legacyBatch, ...legacySingle]],
      );
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.lock_journal_id).toBe(row.journal);
    expect(new Map(rows.map((r) => [r.id, r.initial_lock]))).toEqual(
      await perOrderLocks(rows.map((r) => r.id)),
    );
    expect(new Set(rows.map((r) => r.lock_journal_id)).size).toBe(2);
    await expectAuditClean(db.dataSource);

    // The previous release's TX1, still running during a rolling deploy, names neither column:
    // its orders take their lock as initial lock, their own LOCK pairs name them, and they audit.
    const [rolling] = await placeLegacy([135]);
    expect(
      await db.dataSource.query(
        `SELECT initial_lock::text, lock_journal_id FROM orders WHERE id = $1`,
        [rolling],
      ),
    ).toEqual([{ initial_lock: lockOf(135).toString(), lock_journal_id: null }]);
    await expectAuditClean(db.dataSource);
  });

  it('accepts netted batch locks, and down gives each batch order its own LOCK pair again', async () => {
    const batch = await placeBatch([140, 150, 160, 170]);
    const [{ netted }] = await db.dataSource.query(
      `SELECT count(*)::int AS netted FROM ledger_entries
        WHERE reason = 'LOCK' AND ref_type = 'ORDER_BATCH'`,
    );
    expect(netted).toBe(2);
    await expectAuditClean(db.dataSource);
    const balances = await db.dataSource.query(
      `SELECT asset, available::text, locked::text FROM balances WHERE user_id = $1 ORDER BY asset`,
      [alice],
    );

    // down refuses while a netted pair differs from its orders' initial locks (written here with
    // triggers off: the columns are write-once), and changes nothing.
    const tamper = (delta: number) =>
      db.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(`UPDATE orders SET initial_lock = initial_lock + $2 WHERE id = $1`, [
          batch[0],
          delta,
        ]);
      });
    await revertLater();
    await tamper(1);
    await expect(migrateDown(db.dataSource)).rejects.toThrow(
      /batch lock .* locked .* but its orders/,
    );
    await tamper(-1);
    await expectAuditClean(db.dataSource);

    expect(await migrateDown(db.dataSource)).toEqual([MIGRATION]);
    expect(await perOrderLocks(batch)).toEqual(
      new Map([140, 150, 160, 170].map((p, i) => [batch[i], lockOf(p).toString()])),
    );
    expect(
      await db.dataSource.query(
        `SELECT asset, available::text, locked::text FROM balances WHERE user_id = $1 ORDER BY asset`,
        [alice],
      ),
    ).toEqual(balances);
    expect(await ledgerChecks()).toEqual({
      conservation: 0,
      balances_match_ledger: 0,
      journals_balanced: 0,
    });

    expect(await migrateUp(db.dataSource)).toEqual([MIGRATION, ...LATER]);
    await expectAuditClean(db.dataSource);
    // The batch's orders now name the correcting journal, which holds their own pairs.
    const [{ journals }] = await db.dataSource.query(
      `SELECT count(DISTINCT lock_journal_id)::int AS journals FROM orders WHERE id = ANY($1::uuid[])`,
      [batch],
    );
    expect(journals).toBe(1);
  });
});
