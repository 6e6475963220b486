// The orders table's row as TX1 writes it and the API handlers read it.

/** A row of the orders table as pg returns it. */
export interface OrderRow {
  id: string;
  client_order_id: string | null;
  symbol: string;
  side: string;
  type: string;
  time_in_force: string | null;
  post_only: boolean;
  stp: string;
  price_ticks: string | null;
  stop_price_ticks: string | null;
  qty_lots: string | null;
  quote_amount: string | null;
  status: string;
  cancel_requested: boolean;
  reject_code: string | null;
  filled_lots: string;
  filled_quote: string;
  lock_asset: string;
  locked_amount: string;
  created_at: Date;
  updated_at: Date;
}

/** The columns of an `OrderRow`, for SELECT lists (the API's order view reads them). */
export const ORDER_COLUMNS = `id::text AS id, client_order_id, symbol, side, type, time_in_force, post_only, stp,
  price_ticks::text AS price_ticks, stop_price_ticks::text AS stop_price_ticks, qty_lots::text AS qty_lots,
  quote_amount::text AS quote_amount, status, cancel_requested, reject_code, filled_lots::text AS filled_lots,
  filled_quote::text AS filled_quote, lock_asset, locked_amount::text AS locked_amount, created_at, updated_at`;
