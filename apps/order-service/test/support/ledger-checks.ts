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
