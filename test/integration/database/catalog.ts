import type { DataSource } from 'typeorm';

/** Tables the migrations create, in alphabetical order. */
export const EXPECTED_TABLES = [
  'api_keys',
  'assets',
  'balances',
  'exchange_identity',
  'ledger_entries',
  'leases',
  'markets',
  'orders',
  'outbox',
  'settlement_checkpoints',
  'settlement_shard_fencing',
  'trades',
  'users',
];

export const EXPECTED_VIEWS = ['external_transfers', 'ledger_account_totals'];

/** Names of the objects of one kind in the public schema, sorted. */
export async function publicObjects(
  dataSource: DataSource,
  kinds: 'tables' | 'views' | 'functions' | 'all',
): Promise<string[]> {
  const relkinds = {
    tables: ['r', 'p'],
    views: ['v', 'm'],
    all: ['r', 'p', 'v', 'm', 'S', 'c'],
    functions: [],
  }[kinds];
  const relations = (await dataSource.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = ANY($1) ORDER BY 1`,
    [relkinds],
  )) as { name: string }[];
  const functions =
    kinds === 'functions' || kinds === 'all'
      ? ((await dataSource.query(
          `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' ORDER BY 1`,
        )) as { name: string }[])
      : [];
  return [...relations, ...functions].map((row) => row.name).sort();
}

/**
 * A text description of the public schema (columns, constraints, indexes, triggers, views) that
 * changes whenever the schema does; two equal snapshots mean the same schema.
 */
export async function schemaSnapshot(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
           || coalesce(numeric_precision::text, '') || ',' || coalesce(numeric_scale::text, '')
           || ' null=' || is_nullable || ' default=' || coalesce(column_default, '') AS line
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid)
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public'
    ORDER BY 1`)) as { line: string }[];
  return rows.map((row) => row.line);
}
