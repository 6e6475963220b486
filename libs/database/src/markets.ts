import { createMarket, type Market } from '@app/domain';

/** Runs one SQL statement and returns its rows: a DataSource, EntityManager or pg client adapter. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

interface MarketRow {
  symbol: string;
  base_asset: string;
  quote_asset: string;
  base_scale: number;
  quote_scale: number;
  tick_size: string;
  step_size: string;
  min_qty: string;
  max_qty: string;
  min_notional: string;
  maker_fee_ppm: number;
  taker_fee_ppm: number;
  status: 'TRADING' | 'HALTED';
}

/**
 * Reads every market with its assets' scales and builds the domain's validated `Market`s, by
 * symbol. Decimals are read with trailing zeros trimmed so "0.01" stays "0.01" whatever the
 * column's stored scale.
 */
export async function loadMarkets(db: Queryable): Promise<Map<string, Market>> {
  const rows = (await db.query(
    `SELECT m.symbol, m.base_asset, m.quote_asset, b.scale AS base_scale, q.scale AS quote_scale,
            trim_scale(m.tick_size)::text AS tick_size, trim_scale(m.step_size)::text AS step_size,
            trim_scale(m.min_qty)::text AS min_qty, trim_scale(m.max_qty)::text AS max_qty,
            trim_scale(m.min_notional)::text AS min_notional,
            m.maker_fee_ppm, m.taker_fee_ppm, m.status
       FROM markets m
       JOIN assets b ON b.code = m.base_asset
       JOIN assets q ON q.code = m.quote_asset
      ORDER BY m.symbol`,
  )) as MarketRow[];
  const markets = new Map<string, Market>();
  for (const row of rows) {
    markets.set(
      row.symbol,
      createMarket({
        symbol: row.symbol,
        baseAsset: row.base_asset,
        quoteAsset: row.quote_asset,
        baseScale: Number(row.base_scale),
        quoteScale: Number(row.quote_scale),
        tickSize: row.tick_size,
        stepSize: row.step_size,
        minQty: row.min_qty,
        maxQty: row.max_qty,
        minNotional: row.min_notional,
        makerFeePpm: Number(row.maker_fee_ppm),
        takerFeePpm: Number(row.taker_fee_ppm),
        status: row.status,
      }),
    );
  }
  return markets;
}
