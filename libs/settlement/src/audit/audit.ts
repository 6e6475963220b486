// The auditor: every invariant of the design (section 4) that the database alone can show,
// checked on a live database with read-only queries in one REPEATABLE READ snapshot, so that a
// settlement committing halfway through cannot produce a false alarm. Shared by the tests,
// `npm run audit` and GET /api/v1/admin/audit.
import type { DataSource } from 'typeorm';
import { AUDIT_SAMPLE_ROWS_MAX } from '../settlement.constants';

export interface AuditCheckResult {
  /** Stable name of the check. */
  readonly name: string;
  /** What it proves, one sentence. */
  readonly description: string;
  /** Rows violating it; 0 = holds. */
  readonly violations: number;
  /** Up to AUDIT_SAMPLE_ROWS_MAX violating rows, as the query returned them. */
  readonly sample: readonly Record<string, unknown>[];
}

export interface AuditReport {
  readonly ok: boolean;
  readonly violations: number;
  readonly checkedAt: string;
  readonly checks: readonly AuditCheckResult[];
}

interface AuditCheck {
  readonly name: string;
  readonly description: string;
  /** Returns one row per violation. */
  readonly sql: string;
}

// Minor units per lot and per tick x lot of every market (exact: the markets trigger proves
// they are integers).
const MARKET_FACTORS = `
  SELECT m.symbol, m.base_asset, m.quote_asset,
         m.step_size * power(10::numeric, ba.scale) AS base_per_lot,
         m.tick_size * m.step_size * power(10::numeric, qa.scale) AS quote_per_tick_lot
    FROM markets m JOIN assets ba ON ba.code = m.base_asset JOIN assets qa ON qa.code = m.quote_asset`;

/** Live statuses: the order may still trade, so it still holds a lock. */
const LIVE = `('NEW', 'PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED')`;

export const AUDIT_CHECKS: readonly AuditCheck[] = [
  {
    name: 'conservation',
    description:
      'Per asset: balances (available + locked) plus the FEES account equal deposits minus withdrawals (invariant 1).',
    sql: `
      SELECT a.code AS asset, coalesce(b.total, 0)::text AS balances, coalesce(f.total, 0)::text AS fees,
             coalesce(x.total, 0)::text AS external
        FROM assets a
        LEFT JOIN (SELECT asset, sum(available + locked) AS total FROM balances GROUP BY asset) b ON b.asset = a.code
        LEFT JOIN (SELECT asset, sum(amount) AS total FROM ledger_entries WHERE account = 'FEES' GROUP BY asset) f ON f.asset = a.code
        LEFT JOIN (SELECT asset, sum(amount) AS total FROM external_transfers GROUP BY asset) x ON x.asset = a.code
       WHERE coalesce(b.total, 0) + coalesce(f.total, 0) <> coalesce(x.total, 0)`,
  },
  {
    name: 'non_negative',
    description:
      'No available balance, locked balance, order lock or fee account is negative (invariant 2).',
    sql: `
      SELECT 'balance' AS kind, user_id::text AS id, asset, available::text, locked::text
        FROM balances WHERE available < 0 OR locked < 0
      UNION ALL
      SELECT 'order', id::text, lock_asset, NULL, locked_amount::text FROM orders WHERE locked_amount < 0
      UNION ALL
      SELECT 'fees', user_id::text, asset, sum(amount)::text, NULL
        FROM ledger_entries WHERE account = 'FEES' GROUP BY user_id, asset HAVING sum(amount) < 0`,
  },
  {
    name: 'balances_match_ledger',
    description:
      'Every balance equals the sum of its AVAILABLE and LOCKED ledger entries, and no ledger account lacks its balance row.',
    sql: `
      SELECT coalesce(b.user_id, l.user_id)::text AS user_id, coalesce(b.asset, l.asset) AS asset,
             b.available::text, b.locked::text, l.available::text AS ledger_available,
             l.locked::text AS ledger_locked
        FROM balances b
        FULL JOIN (SELECT user_id, asset,
                          sum(amount) FILTER (WHERE account = 'AVAILABLE') AS available,
                          sum(amount) FILTER (WHERE account = 'LOCKED') AS locked
                     FROM ledger_entries WHERE account IN ('AVAILABLE', 'LOCKED')
                    GROUP BY user_id, asset) l
          ON l.user_id = b.user_id AND l.asset = b.asset
       WHERE coalesce(b.available, 0) <> coalesce(l.available, 0)
          OR coalesce(b.locked, 0) <> coalesce(l.locked, 0)`,
  },
  {
    name: 'journals_balanced',
    description: 'Every ledger journal sums to zero per asset (double entry).',
    sql: `
      SELECT journal_id::text, asset, sum(amount)::text AS total
        FROM ledger_entries GROUP BY journal_id, asset HAVING sum(amount) <> 0`,
  },
  {
    name: 'locked_balances_match_orders',
    description:
      "Every user's locked balance of an asset equals the sum of the locks their orders hold in it: nothing is locked for no order, and no order's lock is missing from the balance.",
    sql: `
      SELECT coalesce(b.user_id, o.user_id)::text AS user_id, coalesce(b.asset, o.asset) AS asset,
             coalesce(b.locked, 0)::text AS balance_locked, coalesce(o.locked, 0)::text AS orders_locked
        FROM (SELECT user_id, asset, locked FROM balances WHERE locked <> 0) b
        FULL JOIN (SELECT user_id, lock_asset AS asset, sum(locked_amount) AS locked
                     FROM orders WHERE locked_amount <> 0 GROUP BY user_id, lock_asset) o
          ON o.user_id = b.user_id AND o.asset = b.asset
       WHERE coalesce(b.locked, 0) <> coalesce(o.locked, 0)`,
  },
  {
    name: 'order_initial_locks_match_ledger',
    description:
      "Every LOCK in the ledger equals, per user and asset, the initial locks of the orders it was taken for (AVAILABLE -x, LOCKED +x): a batch's netted pair (ref_type ORDER_BATCH, ref_id its journal) the sum over the orders with that lock journal, an order's own pair (ref_type ORDER) its initial lock; and each pair lies in the lock journal its orders name.",
    sql: `
      WITH ledger AS (
        SELECT ref_type, ref_id, user_id, asset,
               coalesce(sum(amount) FILTER (WHERE account = 'LOCKED'), 0) AS locked,
               coalesce(sum(amount) FILTER (WHERE account = 'AVAILABLE'), 0) AS available,
               count(*) FILTER (WHERE account NOT IN ('AVAILABLE', 'LOCKED')) AS other_accounts,
               array_agg(DISTINCT journal_id::text ORDER BY journal_id::text) AS journals
          FROM ledger_entries WHERE reason = 'LOCK'
         GROUP BY ref_type, ref_id, user_id, asset
      ), batches AS (
        SELECT DISTINCT ref_id FROM ledger WHERE ref_type = 'ORDER_BATCH'
      ), placed AS (
        SELECT CASE WHEN b.ref_id IS NULL THEN 'ORDER' ELSE 'ORDER_BATCH' END AS ref_type,
               coalesce(b.ref_id, o.id::text) AS ref_id, o.user_id, o.lock_asset AS asset,
               sum(o.initial_lock) AS locked,
               -- One order, or a batch whose orders all name the batch's journal; null for an
               -- order the previous release wrote (its own pair names it).
               max(o.lock_journal_id::text) AS journal_id
          FROM orders o LEFT JOIN batches b ON b.ref_id = o.lock_journal_id::text
         GROUP BY 1, 2, 3, 4
      )
      SELECT coalesce(l.ref_type, p.ref_type) AS ref_type, coalesce(l.ref_id, p.ref_id) AS ref_id,
             coalesce(l.user_id, p.user_id)::text AS user_id, coalesce(l.asset, p.asset) AS asset,
             coalesce(l.locked, 0)::text AS ledger_locked, coalesce(l.available, 0)::text AS ledger_available,
             coalesce(p.locked, 0)::text AS initial_locks, l.journals, p.journal_id AS lock_journal_id
        FROM ledger l
        FULL JOIN placed p
          ON p.ref_type = l.ref_type AND p.ref_id = l.ref_id AND p.user_id = l.user_id AND p.asset = l.asset
       WHERE coalesce(l.locked, 0) <> coalesce(p.locked, 0)
          OR coalesce(l.available, 0) <> -coalesce(p.locked, 0)
          OR coalesce(l.other_accounts, 0) <> 0
          OR (p.journal_id IS NOT NULL AND l.journals IS NOT NULL AND l.journals <> ARRAY[p.journal_id])`,
  },
  {
    name: 'order_lock_matches_ledger',
    description:
      "Every order's lock equals its initial lock minus what its trades spent and what was released for it (UNLOCK); 0 for a final order.",
    sql: `
      WITH released AS (
        SELECT ref_id, -sum(amount) AS released
          FROM ledger_entries
         WHERE ref_type = 'ORDER' AND account = 'LOCKED' AND reason = 'UNLOCK'
         GROUP BY ref_id
      ), spent AS (
        SELECT o.id, coalesce(sum(CASE WHEN o.side = 'BUY' THEN t.quote_amount
                                       ELSE t.qty_lots * f.base_per_lot END), 0) AS spent
          FROM orders o
          JOIN (${MARKET_FACTORS}) f ON f.symbol = o.symbol
          JOIN trades t ON t.maker_order_id = o.id OR t.taker_order_id = o.id
         GROUP BY o.id
      )
      SELECT o.id::text AS order_id, o.status, o.locked_amount::text, o.initial_lock::text,
             coalesce(s.spent, 0)::text AS spent, coalesce(r.released, 0)::text AS released
        FROM orders o
        LEFT JOIN released r ON r.ref_id = o.id::text
        LEFT JOIN spent s ON s.id = o.id
       WHERE o.locked_amount <> o.initial_lock - coalesce(s.spent, 0) - coalesce(r.released, 0)
          OR (o.status NOT IN ${LIVE} AND o.locked_amount <> 0)`,
  },
  {
    name: 'open_order_lock_covers_remainder',
    description:
      "Every live order's lock equals what its unfilled part can still spend (invariant 3): a resting or pending limit order exactly lockForRemaining (sell: remaining base; buy: price x remaining lots); an order not yet matched (NEW, also with a cancel pending) and a pending stop-market order hold their whole initial lock, untouched; a market order never rests.",
    sql: `
      SELECT o.id::text AS order_id, o.type, o.side, o.status, o.locked_amount::text,
             o.initial_lock::text, o.qty_lots, o.filled_lots
        FROM orders o
        JOIN (${MARKET_FACTORS}) f ON f.symbol = o.symbol
       WHERE o.status IN ${LIVE}
         AND CASE
               WHEN o.status = 'NEW' OR (o.status = 'PENDING_TRIGGER' AND o.type = 'STOP_MARKET')
                 THEN o.locked_amount <> o.initial_lock OR o.filled_lots <> 0
               WHEN o.type IN ('MARKET', 'STOP_MARKET') THEN true
               WHEN o.side = 'SELL' THEN o.locked_amount <> (o.qty_lots - o.filled_lots) * f.base_per_lot
               ELSE o.locked_amount <> o.price_ticks * (o.qty_lots - o.filled_lots) * f.quote_per_tick_lot
             END`,
  },
  {
    name: 'order_fills_match_trades',
    description: "Every order's filled quantity and filled quote equal the sums over its trades.",
    sql: `
      SELECT o.id::text AS order_id, o.filled_lots, coalesce(t.lots, 0) AS trade_lots,
             o.filled_quote::text, coalesce(t.quote, 0)::text AS trade_quote
        FROM orders o
        LEFT JOIN (SELECT id, sum(qty_lots) AS lots, sum(quote_amount) AS quote FROM (
                     SELECT maker_order_id AS id, qty_lots, quote_amount FROM trades
                     UNION ALL SELECT taker_order_id, qty_lots, quote_amount FROM trades) x
                    GROUP BY id) t ON t.id = o.id
       WHERE o.filled_lots <> coalesce(t.lots, 0) OR o.filled_quote <> coalesce(t.quote, 0)`,
  },
  {
    name: 'trades_balanced',
    description:
      "Every trade's ledger entries are exactly: buyer LOCKED quote -quote, AVAILABLE base +(base - buyer fee); seller LOCKED base -base, AVAILABLE quote +(quote - seller fee); FEES +each fee; with fees no larger than what was received.",
    sql: `
      WITH t AS (
        SELECT tr.*, f.base_asset, f.quote_asset, tr.qty_lots * f.base_per_lot AS base_amount,
               CASE tr.taker_side WHEN 'BUY' THEN tr.taker_user_id ELSE tr.maker_user_id END AS buyer,
               CASE tr.taker_side WHEN 'BUY' THEN tr.maker_user_id ELSE tr.taker_user_id END AS seller,
               CASE tr.taker_side WHEN 'BUY' THEN tr.taker_fee ELSE tr.maker_fee END AS buyer_fee,
               CASE tr.taker_side WHEN 'BUY' THEN tr.maker_fee ELSE tr.taker_fee END AS seller_fee,
               CASE tr.taker_side WHEN 'BUY' THEN tr.taker_fee_asset ELSE tr.maker_fee_asset END AS buyer_fee_asset,
               CASE tr.taker_side WHEN 'BUY' THEN tr.maker_fee_asset ELSE tr.taker_fee_asset END AS seller_fee_asset
          FROM trades tr JOIN (${MARKET_FACTORS}) f ON f.symbol = tr.symbol
      ), expected AS (
        SELECT ref, user_id, account, asset, sum(amount) AS amount FROM (
          SELECT symbol || ':' || trade_seq AS ref, buyer AS user_id, 'LOCKED' AS account, quote_asset AS asset, -quote_amount AS amount FROM t
          UNION ALL SELECT symbol || ':' || trade_seq, seller, 'AVAILABLE', quote_asset, quote_amount - seller_fee FROM t
          UNION ALL SELECT symbol || ':' || trade_seq, (SELECT id FROM users WHERE name = 'fees' AND kind = 'SYSTEM'), 'FEES', quote_asset, seller_fee FROM t
          UNION ALL SELECT symbol || ':' || trade_seq, seller, 'LOCKED', base_asset, -base_amount FROM t
          UNION ALL SELECT symbol || ':' || trade_seq, buyer, 'AVAILABLE', base_asset, base_amount - buyer_fee FROM t
          UNION ALL SELECT symbol || ':' || trade_seq, (SELECT id FROM users WHERE name = 'fees' AND kind = 'SYSTEM'), 'FEES', base_asset, buyer_fee FROM t
        ) e GROUP BY ref, user_id, account, asset
      ), actual AS (
        SELECT ref_id AS ref, user_id, account, asset, sum(amount) AS amount
          FROM ledger_entries WHERE ref_type = 'TRADE' GROUP BY ref_id, user_id, account, asset
      )
      SELECT coalesce(e.ref, a.ref) AS trade, coalesce(e.user_id, a.user_id)::text AS user_id,
             coalesce(e.account, a.account) AS account, coalesce(e.asset, a.asset) AS asset,
             e.amount::text AS expected, a.amount::text AS actual
        FROM expected e FULL JOIN actual a
          ON a.ref = e.ref AND a.user_id = e.user_id AND a.account = e.account AND a.asset = e.asset
       WHERE coalesce(e.amount, 0) <> coalesce(a.amount, 0)
      UNION ALL
      SELECT symbol || ':' || trade_seq, NULL, 'FEE_ASSETS', NULL, base_asset || '/' || quote_asset,
             buyer_fee_asset || '/' || seller_fee_asset
        FROM t
       WHERE buyer_fee_asset <> base_asset OR seller_fee_asset <> quote_asset
          OR buyer_fee > base_amount OR seller_fee > quote_amount`,
  },
  {
    name: 'trades_settled_once',
    description:
      'Trade sequences are unique and gapless from 1 per market (none settled twice, none skipped), and no trade has more than one journal.',
    sql: `
      SELECT symbol, count(*)::text AS trades, max(trade_seq)::text AS max_seq, count(DISTINCT trade_seq)::text AS distinct_seq
        FROM trades GROUP BY symbol
      HAVING count(*) <> max(trade_seq) OR count(DISTINCT trade_seq) <> count(*)
      UNION ALL
      SELECT ref_id, count(DISTINCT journal_id)::text, NULL, NULL
        FROM ledger_entries WHERE ref_type = 'TRADE' GROUP BY ref_id HAVING count(DISTINCT journal_id) > 1`,
  },
];

/**
 * Runs every check in one read-only REPEATABLE READ transaction (one snapshot) and returns the
 * report; `ok` is true when no check found a violation.
 */
export async function runAudit(dataSource: DataSource): Promise<AuditReport> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checks: AuditCheckResult[] = [];
    for (const check of AUDIT_CHECKS) {
      const rows = (await runner.query(check.sql)) as Record<string, unknown>[];
      checks.push({
        name: check.name,
        description: check.description,
        violations: rows.length,
        sample: rows.slice(0, AUDIT_SAMPLE_ROWS_MAX),
      });
    }
    await runner.query('COMMIT');
    const violations = checks.reduce((sum, c) => sum + c.violations, 0);
    return { ok: violations === 0, violations, checkedAt: new Date().toISOString(), checks };
  } catch (error) {
    await runner.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}

/** A plain-text report: one line per check, then the sample rows of each violated check. */
export function formatAuditReport(report: AuditReport): string {
  const lines = [
    `audit ${report.ok ? 'PASSED' : 'FAILED'} at ${report.checkedAt}: ${report.violations} violation(s)`,
  ];
  for (const check of report.checks) {
    lines.push(`  ${check.violations === 0 ? 'ok  ' : 'FAIL'} ${check.name} (${check.violations})`);
  }
  for (const check of report.checks.filter((c) => c.violations > 0)) {
    lines.push(`${check.name}: ${check.description}`);
    for (const row of check.sample) lines.push(`    ${JSON.stringify(row)}`);
  }
  return lines.join('\n');
}
