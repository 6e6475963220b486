import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { toSafeInteger } from '@app/database';
import { formatMinor, formatPrice, formatQuantity } from '@app/domain';
import { ORDER_COLUMNS, type OrderRow } from '@app/order-entry';
import { reject, type Rejection } from '../../http/domain-rejection';
import { LIVE_STATUSES } from '../cancel-order/cancel-order.handler';
import { MarketRegistry } from '../market-registry';
import { toOrderView, type OrderView } from '../order-view';
import { PAGE_SIZE_DEFAULT } from '../orders.constants';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';
import {
  type ListQueryDto,
  type OrderPage,
  type TradePage,
  type TradeView,
} from './query-orders.dto';

interface TradeRow {
  id: string;
  symbol: string;
  trade_seq: string;
  price_ticks: string;
  qty_lots: string;
  quote_amount: string;
  maker_order_id: string;
  taker_order_id: string;
  maker_user_id: string;
  taker_side: string;
  maker_fee: string;
  taker_fee: string;
  maker_fee_asset: string;
  taker_fee_asset: string;
  executed_at: Date;
  cursor_at: string;
}

/** A timestamptz as ISO 8601 text in UTC with all six fractional digits, for cursors. */
const CURSOR_AT = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A trader's own orders and trades: one order, open orders, order history, trades. */
@Injectable()
export class QueryOrdersHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly markets: MarketRegistry,
  ) {}

  async one(userId: string, orderId: string): Promise<OrderView | Rejection> {
    const rows: OrderRow[] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = $1 AND id = $2`,
      [userId, orderId],
    );
    return rows.length === 0
      ? reject('ORDER_NOT_FOUND', 'no order of this user has this id', { orderId })
      : this.views(rows)[0];
  }

  open(userId: string, query: ListQueryDto): Promise<OrderPage | Rejection> {
    return this.orders(userId, query, true);
  }

  history(userId: string, query: ListQueryDto): Promise<OrderPage | Rejection> {
    return this.orders(userId, query, false);
  }

  async trades(userId: string, query: ListQueryDto): Promise<TradePage | Rejection> {
    const page = this.page(query);
    if (!page.ok) return page.rejection;
    const rows: TradeRow[] = await this.dataSource.query(
      `SELECT id::text AS id, symbol, trade_seq::text AS trade_seq, price_ticks::text AS price_ticks,
              qty_lots::text AS qty_lots, quote_amount::text AS quote_amount, maker_order_id::text AS maker_order_id,
              taker_order_id::text AS taker_order_id, maker_user_id::text AS maker_user_id, taker_side,
              maker_fee::text AS maker_fee, taker_fee::text AS taker_fee, maker_fee_asset, taker_fee_asset, executed_at,
              ${CURSOR_AT('executed_at')} AS cursor_at
         FROM trades
        WHERE (maker_user_id = $1 OR taker_user_id = $1)
          AND ($2::text IS NULL OR symbol = $2)
          AND ($3::timestamptz IS NULL OR executed_at >= $3) AND ($4::timestamptz IS NULL OR executed_at < $4)
          AND ($5::timestamptz IS NULL OR (executed_at, id) < ($5, $6::bigint))
        ORDER BY executed_at DESC, id DESC
        LIMIT $7`,
      [
        userId,
        query.symbol ?? null,
        query.from ?? null,
        query.to ?? null,
        page.cursor?.at ?? null,
        page.cursor?.id ?? '0',
        page.limit + 1,
      ],
    );
    const items = rows.slice(0, page.limit).flatMap((row) => this.tradeView(userId, row));
    const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor(last.cursor_at, last.id) : null };
  }

  private async orders(
    userId: string,
    query: ListQueryDto,
    live: boolean,
  ): Promise<OrderPage | Rejection> {
    const page = this.page(query);
    if (!page.ok) return page.rejection;
    const rows: (OrderRow & { cursor_at: string })[] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS}, ${CURSOR_AT('created_at')} AS cursor_at FROM orders
        WHERE user_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
          AND ($3::text IS NULL OR symbol = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4) AND ($5::timestamptz IS NULL OR created_at < $5)
          AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $8`,
      [
        userId,
        live ? LIVE_STATUSES : null,
        query.symbol ?? null,
        query.from ?? null,
        query.to ?? null,
        page.cursor?.at ?? null,
        page.cursor?.id ?? '00000000-0000-0000-0000-000000000000',
        page.limit + 1,
      ],
    );
    const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
    return {
      items: this.views(rows.slice(0, page.limit)),
      nextCursor: last ? encodeCursor(last.cursor_at, last.id) : null,
    };
  }

  private page(
    query: ListQueryDto,
  ): { ok: true; limit: number; cursor: Cursor | undefined } | { ok: false; rejection: Rejection } {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && cursor === undefined) {
      return {
        ok: false,
        rejection: reject('VALIDATION_FAILED', 'the cursor is not valid', {
          fields: [
            { field: 'cursor', code: 'INVALID_CURSOR', message: 'Not a cursor this API returned.' },
          ],
        }),
      };
    }
    return { ok: true, limit: query.limit ?? PAGE_SIZE_DEFAULT, cursor };
  }

  private views(rows: OrderRow[]): OrderView[] {
    return rows.flatMap((row) => {
      const market = this.markets.get(row.symbol);
      return market ? [toOrderView(market, row)] : [];
    });
  }

  private tradeView(userId: string, row: TradeRow): TradeView[] {
    const market = this.markets.get(row.symbol);
    if (market === undefined) return [];
    const maker = row.maker_user_id === userId;
    const side = maker ? (row.taker_side === 'BUY' ? 'SELL' : 'BUY') : row.taker_side;
    const feeAsset = maker ? row.maker_fee_asset : row.taker_fee_asset;
    const feeScale = feeAsset === market.baseAsset ? market.baseScale : market.quoteScale;
    return [
      {
        symbol: row.symbol,
        tradeSeq: row.trade_seq,
        orderId: maker ? row.maker_order_id : row.taker_order_id,
        side,
        liquidity: maker ? 'MAKER' : 'TAKER',
        price: formatPrice(market, toSafeInteger(row.price_ticks)),
        quantity: formatQuantity(market, toSafeInteger(row.qty_lots)),
        quoteAmount: formatMinor(BigInt(row.quote_amount), market.quoteScale),
        fee: formatMinor(BigInt(maker ? row.maker_fee : row.taker_fee), feeScale),
        feeAsset,
        executedAt: new Date(row.executed_at).toISOString(),
      },
    ];
  }
}
