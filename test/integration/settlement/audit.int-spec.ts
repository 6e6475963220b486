// Proves the auditor can fail: on a settled database every check holds, and each kind of tampering (money out of thin air, a balance off its ledger, an order lock off its remainder, a trade whose entries do not match it, a batch's netted LOCK off its orders' initial locks, a lock held for no order) is reported by the right check, through runAudit and GET /api/v1/admin/audit (operator only); real PostgreSQL.
import { runAudit } from '@app/settlement';
import { createTestApp, type TestApp } from '../../../apps/order-service/test/support/test-app';
import {
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  matchAndSettle,
  place,
  placeOrders,
  type SettlementFixture,
} from './settlement-helpers';

const UNIT = 100_000_000n;

describe('auditor', () => {
  let f: SettlementFixture;
  let app: TestApp;
  let restingOrderId: string;
  let batchOrderIds: string[];
  let batchTrader: string;

  beforeAll(async () => {
    f = await createSettlementFixture('setaudit');
    const buyer = await createTrader(f, { USDT: 10_000n * UNIT });
    const seller = await createTrader(f, { BTC: UNIT });
    const sell = await place(f, {
      userId: seller,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 5_000,
    });
    const buy = await place(f, {
      userId: buyer,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 2_000,
    });
    await matchAndSettle(f, [sell, buy]);
    restingOrderId = sell.orderId;
    // A batch of three buys and a sell: one netted LOCK pair per asset (ref_type ORDER_BATCH).
    batchTrader = await createTrader(f, { USDT: 10_000n * UNIT, BTC: UNIT });
    const batch = await placeOrders(f, [
      ...[2_000_000, 2_100_000, 2_200_000].map((priceTicks) => ({
        userId: batchTrader,
        symbol: 'BTC-USDT',
        side: 'BUY' as const,
        orderType: 'LIMIT' as const,
        priceTicks,
        qtyLots: 1_000,
      })),
      {
        userId: batchTrader,
        symbol: 'BTC-USDT',
        side: 'SELL' as const,
        orderType: 'LIMIT' as const,
        priceTicks: 4_000_000,
        qtyLots: 3_000,
      },
    ]);
    if (batch === undefined) throw new Error('insufficient funds in test setup');
    batchOrderIds = batch.map((c) => c.orderId);
    app = await createTestApp(f.database.url);
  });

  afterAll(async () => {
    await app?.close();
    await f?.database.drop();
  });

  const failing = async () =>
    (await runAudit(f.dataSource)).checks.filter((c) => c.violations > 0).map((c) => c.name);
  /** Runs `sql` with triggers off (session_replication_role replica), as a tampering would. */
  const tamper = (sql: string, parameters: unknown[]) =>
    f.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query(sql, parameters);
    });
  const violations = async () =>
    Object.fromEntries(
      (await runAudit(f.dataSource)).checks.map((c) => [c.name, c.violations]),
    ) as Record<string, number>;

  it('reports a clean settled database, to the operator only', async () => {
    await expectAuditClean(f.dataSource);
    const denied = await app.request({ method: 'GET', url: '/api/v1/admin/audit' });
    expect(denied.status).toBe(401);
    const response = await app.request({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: app.admin(),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, violations: 0 });
    expect((response.body.checks as unknown as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'conservation',
        'trades_balanced',
        'open_order_lock_covers_remainder',
        'order_initial_locks_match_ledger',
        'locked_balances_match_orders',
      ]),
    );
    // A single order's LOCK pair names the order.
    expect(
      await f.dataSource.query(
        `SELECT e.account, e.amount::text, o.initial_lock::text, e.journal_id = o.lock_journal_id AS same_journal
           FROM ledger_entries e JOIN orders o ON o.id::text = e.ref_id
          WHERE e.reason = 'LOCK' AND e.ref_type = 'ORDER' AND e.ref_id = $1 ORDER BY e.account`,
        [restingOrderId],
      ),
    ).toEqual([
      {
        account: 'AVAILABLE',
        amount: '-5000000',
        initial_lock: '5000000',
        same_journal: true,
      },
      { account: 'LOCKED', amount: '5000000', initial_lock: '5000000', same_journal: true },
    ]);
    // The batch's locks are one pair per asset in the ledger, in the batch's journal; each order
    // keeps its own initial lock.
    const entries = (await f.dataSource.query(
      `SELECT asset, account, amount::text, ref_type, ref_id = journal_id::text AS names_journal
         FROM ledger_entries WHERE reason = 'LOCK' AND user_id = $1 ORDER BY asset, account`,
      [batchTrader],
    )) as unknown[];
    const totals = (await f.dataSource.query(
      `SELECT lock_asset AS asset, sum(initial_lock)::text AS total FROM orders
        WHERE id = ANY($1::uuid[]) GROUP BY lock_asset ORDER BY lock_asset`,
      [batchOrderIds],
    )) as { asset: string; total: string }[];
    expect(totals).toEqual([
      // 0.03 BTC; 0.01 BTC each at 20 000, 21 000 and 22 000 USDT.
      { asset: 'BTC', total: '3000000' },
      { asset: 'USDT', total: String((200n + 210n + 220n) * 10n ** 8n) },
    ]);
    expect(entries).toEqual(
      totals.flatMap(({ asset, total }) => [
        {
          asset,
          account: 'AVAILABLE',
          amount: `-${total}`,
          ref_type: 'ORDER_BATCH',
          names_journal: true,
        },
        { asset, account: 'LOCKED', amount: total, ref_type: 'ORDER_BATCH', names_journal: true },
      ]),
    );
  });

  it('catches a trade whose ledger entries do not match it', async () => {
    const [trade] = (await f.dataSource.query(
      `SELECT symbol || ':' || trade_seq AS ref FROM trades LIMIT 1`,
    )) as { ref: string }[];
    const [user] = (await f.dataSource.query(`SELECT taker_user_id AS id FROM trades LIMIT 1`)) as {
      id: string;
    }[];
    // A balanced journal (so the database accepts it) that moves 1 unit inside the trade's entries.
    await f.dataSource.query(
      `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
       VALUES ('00000000-0000-4000-8000-000000000001', $1, 'AVAILABLE', 'BTC', 1, 'ADJUSTMENT', 'TRADE', $2),
              ('00000000-0000-4000-8000-000000000001', $1, 'AVAILABLE', 'BTC', -1, 'ADJUSTMENT', 'ORDER', 'x')`,
      [user.id, trade.ref],
    );
    // Also a second journal naming the trade, which is what settling it twice would look like.
    expect(await failing()).toEqual(['trades_balanced', 'trades_settled_once']);
  });

  it('catches an order lock that is not what its remainder can spend', async () => {
    await f.dataSource.query(`UPDATE orders SET filled_lots = filled_lots + 1 WHERE id = $1`, [
      restingOrderId,
    ]);
    expect(await failing()).toEqual(
      expect.arrayContaining(['open_order_lock_covers_remainder', 'order_fills_match_trades']),
    );
  });

  it('catches money from nowhere and a balance off its ledger, and the endpoint says so', async () => {
    await f.dataSource.query(
      `UPDATE balances SET available = available + 1 WHERE asset = 'USDT' AND available > 0`,
    );
    expect(await failing()).toEqual(
      expect.arrayContaining(['conservation', 'balances_match_ledger']),
    );
    const response = await app.request({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: app.admin(),
    });
    expect(response.status).toBe(200);
    expect(response.body.ok).toBe(false);
  });

  it('catches an order whose initial lock or lock journal is not what its LOCK took for it', async () => {
    expect(await failing()).not.toContain('order_initial_locks_match_ledger');
    // The columns are written once (the database refuses an UPDATE of them); tampering with
    // triggers off, as a restore of bad data or a superuser's edit could, is what the auditor is
    // for. Moves 1 unit of initial lock from one order of the batch to another: the batch's total
    // still matches, but each order's lock no longer equals its initial lock.
    await tamper(
      `UPDATE orders SET initial_lock = initial_lock + CASE id WHEN $1 THEN 1 ELSE -1 END
        WHERE id IN ($1, $2)`,
      [batchOrderIds[0], batchOrderIds[1]],
    );
    const moved = await failing();
    expect(moved).toEqual(
      expect.arrayContaining(['order_lock_matches_ledger', 'open_order_lock_covers_remainder']),
    );
    expect(moved).not.toContain('order_initial_locks_match_ledger');
    // One unit more for a single order: now the batch's netted pair is off its orders too.
    await tamper(`UPDATE orders SET initial_lock = initial_lock + 1 WHERE id = $1`, [
      batchOrderIds[2],
    ]);
    const before = await violations();
    expect(before.order_initial_locks_match_ledger).toBeGreaterThan(0);
    // A single order naming another lock journal than the one its LOCK pair is in.
    await tamper(`UPDATE orders SET lock_journal_id = gen_random_uuid() WHERE id = $1`, [
      restingOrderId,
    ]);
    expect((await violations()).order_initial_locks_match_ledger).toBe(
      before.order_initial_locks_match_ledger + 1,
    );
  });

  it('catches funds locked for no order', async () => {
    const before = await violations();
    expect(before.locked_balances_match_orders).toBe(0);
    // A balanced LOCK journal and the matching balance change: the ledger and balances agree, but
    // no order holds the lock.
    await f.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE balances SET available = available - 7, locked = locked + 7
          WHERE user_id = $1 AND asset = 'USDT'`,
        [batchTrader],
      );
      await manager.query(
        `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason)
         VALUES ('00000000-0000-4000-8000-000000000002', $1, 'AVAILABLE', 'USDT', -7, 'LOCK'),
                ('00000000-0000-4000-8000-000000000002', $1, 'LOCKED', 'USDT', 7, 'LOCK')`,
        [batchTrader],
      );
    });
    // Earlier tampering has already broken other checks; only these two gain violations.
    const after = await violations();
    const grew = Object.keys(after).filter((name) => after[name] > before[name]);
    expect(grew).toEqual(['locked_balances_match_orders', 'order_initial_locks_match_ledger']);
  });
});
