// Proves the auditor can fail: on a settled database every check holds, and each kind of tampering (money out of thin air, a balance off its ledger, an order lock off its remainder, a trade whose entries do not match it) is reported by the right check, through runAudit and GET /api/v1/admin/audit (operator only); real PostgreSQL.
import { runAudit } from '@app/settlement';
import { createTestApp, type TestApp } from '../../../apps/order-service/test/support/test-app';
import {
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  matchAndSettle,
  place,
  type SettlementFixture,
} from './settlement-helpers';

const UNIT = 100_000_000n;

describe('auditor', () => {
  let f: SettlementFixture;
  let app: TestApp;
  let restingOrderId: string;

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
    app = await createTestApp(f.database.url);
  });

  afterAll(async () => {
    await app?.close();
    await f?.database.drop();
  });

  const failing = async () =>
    (await runAudit(f.dataSource)).checks.filter((c) => c.violations > 0).map((c) => c.name);

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
});
