import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { toSafeInteger } from '@app/database';
import { formatMinor, formatPrice, formatQuantity, type Market } from '@app/domain';
import type { OrderRow } from '@app/order-entry';

/** An order as the API shows it: every amount a decimal string. */
export class OrderView {
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) clientOrderId!: string | null;
  @ApiProperty({ example: 'BTC-USDT' }) symbol!: string;
  @ApiProperty({ enum: ['BUY', 'SELL'] }) side!: string;
  @ApiProperty({ enum: ['LIMIT', 'MARKET', 'STOP_LIMIT', 'STOP_MARKET'] }) type!: string;
  @ApiPropertyOptional({ enum: ['GTC', 'IOC', 'FOK'], nullable: true, type: String }) timeInForce!:
    string | null;
  @ApiProperty() postOnly!: boolean;
  @ApiProperty({ enum: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] }) stp!: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: '30000.50' }) price!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) stopPrice!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '0.01000' }) quantity!:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Market buy by quote amount' })
  quoteAmount!: string | null;
  @ApiProperty({
    enum: ['NEW', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED'],
    description: 'NEW: accepted by order entry, not yet matched',
  })
  status!: string;
  @ApiProperty({ description: 'A cancel was requested and is on its way to the engine' })
  cancelRequested!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) rejectCode!: string | null;
  @ApiProperty({ example: '0.00000' }) filledQuantity!: string;
  @ApiProperty({ description: 'Quote traded so far', example: '0' }) filledQuote!: string;
  @ApiProperty({ description: 'Asset the order holds locked' }) lockAsset!: string;
  @ApiProperty({ description: 'Amount still locked for the open part' }) lockedAmount!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

const ticks = (market: Market, value: string | null) =>
  value === null ? null : formatPrice(market, toSafeInteger(value));

/** Formats a row with its market's scales. */
export function toOrderView(market: Market, row: OrderRow): OrderView {
  const lockScale = row.lock_asset === market.baseAsset ? market.baseScale : market.quoteScale;
  return {
    orderId: row.id,
    clientOrderId: row.client_order_id,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    timeInForce: row.time_in_force,
    postOnly: row.post_only,
    stp: row.stp,
    price: ticks(market, row.price_ticks),
    stopPrice: ticks(market, row.stop_price_ticks),
    quantity: row.qty_lots === null ? null : formatQuantity(market, toSafeInteger(row.qty_lots)),
    quoteAmount:
      row.quote_amount === null ? null : formatMinor(BigInt(row.quote_amount), market.quoteScale),
    status: row.status,
    cancelRequested: row.cancel_requested,
    rejectCode: row.reject_code,
    filledQuantity: formatQuantity(market, toSafeInteger(row.filled_lots)),
    filledQuote: formatMinor(BigInt(row.filled_quote), market.quoteScale),
    lockAsset: row.lock_asset,
    lockedAmount: formatMinor(BigInt(row.locked_amount), lockScale),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
