import type { DataSource } from 'typeorm';

/** Row counts of the tables money and keys live in, to prove a refused request wrote nothing. */
export async function tableCounts(dataSource: DataSource): Promise<Record<string, number>> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*)::int FROM users) AS users,
            (SELECT count(*)::int FROM api_keys) AS api_keys,
            (SELECT count(*)::int FROM balances) AS balances,
            (SELECT count(*)::int FROM ledger_entries) AS ledger_entries,
            (SELECT coalesce(sum(available + locked), 0)::text FROM balances) AS balance_total`,
  )) as Record<string, number>[];
  return row;
}

/**
 * Every ledger invariant the auditor checks: each journal sums to zero per asset, all entries
 * sum to zero per asset, each balance equals its AVAILABLE and LOCKED entries, and per asset
 * balances plus fees equal deposits minus withdrawals. Returns the problems found (none: []).
 */
export async function ledgerProblems(dataSource: DataSource): Promise<unknown[]> {
  const queries = [
    `SELECT 'journal' AS problem, journal_id, asset, sum(amount)::text AS total
       FROM ledger_entries GROUP BY journal_id, asset HAVING sum(amount) <> 0`,
    `SELECT 'asset' AS problem, asset, sum(amount)::text AS total
       FROM ledger_entries GROUP BY asset HAVING sum(amount) <> 0`,
    `SELECT 'balance' AS problem, b.user_id, b.asset
       FROM balances b
       LEFT JOIN ledger_account_totals av
         ON av.user_id = b.user_id AND av.asset = b.asset AND av.account = 'AVAILABLE'
       LEFT JOIN ledger_account_totals lo
         ON lo.user_id = b.user_id AND lo.asset = b.asset AND lo.account = 'LOCKED'
      WHERE b.available <> coalesce(av.amount, 0) OR b.locked <> coalesce(lo.amount, 0)`,
    `SELECT 'conservation' AS problem, a.code AS asset
       FROM assets a
      WHERE (SELECT coalesce(sum(available + locked), 0) FROM balances WHERE asset = a.code)
          + (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account = 'FEES' AND asset = a.code)
         <> (SELECT coalesce(sum(amount), 0) FROM external_transfers WHERE asset = a.code)`,
  ];
  const problems: unknown[] = [];
  for (const sql of queries) problems.push(...((await dataSource.query(sql)) as unknown[]));
  return problems;
}
