// Proves the database still refuses what settlement must never write after migration 6 made its checks cheaper: an unbalanced journal (one statement, several, interleaved, around savepoints and early checks), ledger entries or trades naming what does not exist or does not match, and deleting what they name; real PostgreSQL.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  createSettlementFixture,
  createTrader,
  expectAuditClean,
  matchAndSettle,
  place,
  type SettlementFixture,
} from './settlement-helpers';

const UNIT = 100_000_000n;
const UNBALANCED = { code: '23514', constraint: 'ledger_journal_balanced' };
const LEDGER_REF = { code: '23503', constraint: 'ledger_entries_references' };
const TRADE_REF = { code: '23503', constraint: 'trades_match_orders' };

interface TradeRow {
  symbol: string;
  trade_seq: string;
  maker_order_id: string;
  taker_order_id: string;
  maker_user_id: string;
  taker_user_id: string;
  taker_side: string;
  maker_fee_asset: string;
  taker_fee_asset: string;
}

describe('settlement write path enforcement', () => {
  let f: SettlementFixture;
  let alice: string;
  let bob: string;
  let trade: TradeRow;

  beforeAll(async () => {
    f = await createSettlementFixture('setenforce');
    alice = await createTrader(f, { USDT: 10_000n * UNIT });
    bob = await createTrader(f, { BTC: UNIT });
    const sell = await place(f, {
      userId: bob,
      symbol: 'BTC-USDT',
      side: 'SELL',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 5_000,
    });
    const buy = await place(f, {
      userId: alice,
      symbol: 'BTC-USDT',
      side: 'BUY',
      orderType: 'LIMIT',
      priceTicks: 3_000_000,
      qtyLots: 2_000,
    });
    await matchAndSettle(f, [sell, buy]);
    [trade] = (await f.dataSource.query(`SELECT * FROM trades`)) as TradeRow[];
  });

  afterAll(async () => {
    await f?.database.drop();
  });

  /** One statement of ledger entries: [journal, user, asset, amount] each. */
  function entries(m: EntityManager, rows: [string, string, string, string][]) {
    return m.query(
      `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason)
       SELECT j, u, 'AVAILABLE', a, x, 'ADJUSTMENT'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::numeric[]) WITH ORDINALITY AS e(j, u, a, x, n)
        ORDER BY n`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
  }

  async function journalCount(journalIds: string[]): Promise<number> {
    const [{ n }] = (await f.dataSource.query(
      `SELECT count(*)::int AS n FROM ledger_entries WHERE journal_id = ANY($1::uuid[])`,
      [journalIds],
    )) as { n: number }[];
    return n;
  }

  describe('journal balance', () => {
    it('commits a balanced journal of one statement and of several', async () => {
      // Each account nets to zero too, so that the balances stay equal to the ledger.
      const one = randomUUID();
      const several = randomUUID();
      await f.dataSource.transaction(async (m) => {
        await entries(m, [
          [one, alice, 'USDT', '-5'],
          [one, alice, 'USDT', '5'],
        ]);
        await entries(m, [[several, alice, 'BTC', '-3']]);
        await entries(m, [
          [several, alice, 'BTC', '1'],
          [several, alice, 'BTC', '2'],
        ]);
      });
      expect(await journalCount([one, several])).toBe(5);
    });

    it('refuses a journal unbalanced within one statement', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction((m) =>
          entries(m, [
            [j, alice, 'USDT', '-5'],
            [j, bob, 'USDT', '4'],
          ]),
        ),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });

    it('refuses an unbalanced journal after a balanced one in the same statement', async () => {
      const good = randomUUID();
      const bad = randomUUID();
      await expect(
        f.dataSource.transaction((m) =>
          entries(m, [
            [good, alice, 'USDT', '-5'],
            [good, bob, 'USDT', '5'],
            [bad, alice, 'ETH', '-5'],
            [bad, bob, 'ETH', '6'],
          ]),
        ),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([good, bad])).toBe(0);
    });

    it('refuses an unbalanced journal interleaved with a balanced one in one statement', async () => {
      const good = randomUUID();
      const bad = randomUUID();
      await expect(
        f.dataSource.transaction((m) =>
          entries(m, [
            [good, alice, 'USDT', '-5'],
            [bad, alice, 'USDT', '-5'],
            [good, bob, 'USDT', '5'],
            [bad, bob, 'USDT', '4'],
          ]),
        ),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([good, bad])).toBe(0);
    });

    it('refuses an entry that unbalances a journal another statement balanced', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction(async (m) => {
          await entries(m, [
            [j, alice, 'USDT', '-5'],
            [j, bob, 'USDT', '5'],
          ]);
          await entries(m, [[j, bob, 'USDT', '1']]);
        }),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });

    it('refuses a journal whose balancing entry was rolled back to a savepoint', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction(async (m) => {
          await entries(m, [[j, alice, 'USDT', '-5']]);
          await m.query('SAVEPOINT s');
          await entries(m, [[j, bob, 'USDT', '5']]);
          await m.query('ROLLBACK TO SAVEPOINT s');
        }),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });

    it('queues a new check after a savepoint rollback discarded the pending one', async () => {
      // The rolled back subtransaction queued the journal's check; its rollback must also forget
      // that the check was queued, or the next entry would rely on a check that no longer exists.
      const j = randomUUID();
      await expect(
        f.dataSource.transaction(async (m) => {
          await m.query('SAVEPOINT s');
          await entries(m, [[j, alice, 'USDT', '-5']]);
          await m.query('ROLLBACK TO SAVEPOINT s');
          await entries(m, [[j, alice, 'USDT', '-5']]);
        }),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });

    it('re-runs a check that passed inside a savepoint that was then rolled back', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction(async (m) => {
          await entries(m, [
            [j, alice, 'USDT', '-5'],
            [j, bob, 'USDT', '5'],
          ]);
          await m.query('SAVEPOINT s');
          await m.query('SET CONSTRAINTS ledger_journal_balanced IMMEDIATE');
          await m.query('SET CONSTRAINTS ledger_journal_balanced DEFERRED');
          await m.query('ROLLBACK TO SAVEPOINT s');
          await entries(m, [[j, bob, 'USDT', '1']]);
        }),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });

    it('checks every statement when the constraint is immediate', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction(async (m) => {
          await m.query('SET CONSTRAINTS ledger_journal_balanced IMMEDIATE');
          await entries(m, [
            [j, alice, 'USDT', '-5'],
            [j, bob, 'USDT', '5'],
          ]);
          await entries(m, [
            [j, alice, 'USDT', '-1'],
            [j, bob, 'USDT', '2'],
          ]);
        }),
      ).rejects.toMatchObject(UNBALANCED);
      expect(await journalCount([j])).toBe(0);
    });
  });

  describe('references', () => {
    it('refuses ledger entries naming an unknown user or asset', async () => {
      const j = randomUUID();
      await expect(
        f.dataSource.transaction((m) =>
          entries(m, [
            [j, alice, 'USDT', '-5'],
            [j, randomUUID(), 'USDT', '5'],
          ]),
        ),
      ).rejects.toMatchObject(LEDGER_REF);
      await expect(
        f.dataSource.transaction((m) =>
          entries(m, [
            [j, alice, 'DOGE', '-5'],
            [j, bob, 'DOGE', '5'],
          ]),
        ),
      ).rejects.toMatchObject(LEDGER_REF);
      expect(await journalCount([j])).toBe(0);
    });

    it('refuses deleting or renaming a user or an asset that ledger entries name', async () => {
      // A user and an asset that only the ledger names (no balance, order or market), so that
      // no foreign key but the ledger's own guard is there to refuse.
      await f.dataSource.query(`INSERT INTO assets (code, scale) VALUES ('ZZZ', 0)`);
      const [{ id }] = (await f.dataSource.query(
        `INSERT INTO users (name, kind) VALUES ('ledger-only', 'SYSTEM') RETURNING id::text AS id`,
      )) as { id: string }[];
      await f.dataSource.query(
        `INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason)
         VALUES ($1, $2, 'EXTERNAL', 'ZZZ', -5, 'ADJUSTMENT'), ($1, $2, 'FEES', 'ZZZ', 5, 'ADJUSTMENT')`,
        [randomUUID(), id],
      );
      await expect(
        f.dataSource.query(`DELETE FROM users WHERE id = $1`, [id]),
      ).rejects.toMatchObject(LEDGER_REF);
      await expect(
        f.dataSource.query(`UPDATE users SET id = gen_random_uuid() WHERE id = $1`, [id]),
      ).rejects.toMatchObject(LEDGER_REF);
      await expect(
        f.dataSource.query(`DELETE FROM assets WHERE code = 'ZZZ'`),
      ).rejects.toMatchObject(LEDGER_REF);
      await expect(
        f.dataSource.query(`UPDATE assets SET code = 'YYY' WHERE code = 'ZZZ'`),
      ).rejects.toMatchObject(LEDGER_REF);
      // Updating other columns, and deleting what nothing names, still work.
      await f.dataSource.query(`UPDATE users SET name = 'ledger-only-2' WHERE id = $1`, [id]);
      await f.dataSource.query(`UPDATE assets SET scale = 1 WHERE code = 'ZZZ'`);
      await f.dataSource.query(`INSERT INTO users (name) VALUES ('nobody')`);
      await f.dataSource.query(`DELETE FROM users WHERE name = 'nobody'`);
    });

    it('refuses trades that do not match their orders, users, market or fee assets', async () => {
      const insert = (change: Partial<TradeRow>) => {
        const t = {
          ...trade,
          ...change,
          trade_seq: String(1_000_000 + Math.floor(Math.random() * 1e6)),
        };
        return f.dataSource.query(
          `INSERT INTO trades (symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id,
                               taker_order_id, maker_user_id, taker_user_id, taker_side,
                               maker_fee_asset, taker_fee_asset, executed_at)
           VALUES ($1, $2, 1, 1, 1, $3, $4, $5, $6, $7, $8, $9, now())`,
          [
            t.symbol,
            t.trade_seq,
            t.maker_order_id,
            t.taker_order_id,
            t.maker_user_id,
            t.taker_user_id,
            t.taker_side,
            t.maker_fee_asset,
            t.taker_fee_asset,
          ],
        );
      };
      const flipped = trade.taker_side === 'BUY' ? 'SELL' : 'BUY';
      for (const change of [
        { maker_order_id: randomUUID() },
        { taker_order_id: randomUUID() },
        { maker_user_id: trade.taker_user_id },
        { taker_user_id: trade.maker_user_id },
        { symbol: 'ETH-USDT' },
        { taker_side: flipped },
        { maker_fee_asset: trade.taker_fee_asset },
        { taker_fee_asset: 'ETH' },
        { maker_order_id: trade.taker_order_id, taker_order_id: trade.maker_order_id },
      ]) {
        await expect(insert(change)).rejects.toMatchObject(TRADE_REF);
      }
      // The control: the same trade under a new sequence is accepted, so the refusals above are
      // each for the one thing changed. (Rolled back: it has no ledger entries.)
      await f.dataSource.transaction(async (m) => {
        await m.query('SAVEPOINT s');
        await expect(
          m.query(
            `INSERT INTO trades (symbol, trade_seq, price_ticks, qty_lots, quote_amount, maker_order_id,
                                 taker_order_id, maker_user_id, taker_user_id, taker_side,
                                 maker_fee_asset, taker_fee_asset, executed_at)
             SELECT symbol, 999999, price_ticks, qty_lots, quote_amount, maker_order_id, taker_order_id,
                    maker_user_id, taker_user_id, taker_side, maker_fee_asset, taker_fee_asset, now()
               FROM trades LIMIT 1`,
          ),
        ).resolves.toBeDefined();
        await m.query('ROLLBACK TO SAVEPOINT s');
      });
      await expect(
        f.dataSource.query(`UPDATE trades SET maker_user_id = taker_user_id`),
      ).rejects.toMatchObject(TRADE_REF);
    });

    it('refuses deleting an order a trade names', async () => {
      await expect(
        f.dataSource.query(`DELETE FROM orders WHERE id = $1`, [trade.maker_order_id]),
      ).rejects.toMatchObject(TRADE_REF);
      await expect(
        f.dataSource.query(`UPDATE orders SET id = gen_random_uuid() WHERE id = $1`, [
          trade.taker_order_id,
        ]),
      ).rejects.toMatchObject(TRADE_REF);
    });

    it('leaves the audit clean after every refusal', async () => {
      await expectAuditClean(f.dataSource);
    });
  });
});
