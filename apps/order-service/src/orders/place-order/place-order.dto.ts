import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { DECIMAL_AMOUNT_PATTERN, IsDecimalAmount } from '../../http/decimal-amount.decorator';
import { ForbiddenField } from '../../http/forbidden-field.decorator';
import type { PlaceOrderInput } from '@app/order-entry';

/** The shape of a market symbol ("BTC-USDT"). */
export const SYMBOL_PATTERN = /^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$/;
/** The shape of a client order id: 1-64 letters, digits or ._:- */
export const CLIENT_ORDER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
export const SIDES = ['BUY', 'SELL'] as const;
export const ORDER_TYPES = ['LIMIT', 'MARKET', 'STOP_LIMIT', 'STOP_MARKET'] as const;
export const TIMES_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;

const decimal = (description: string, example: string) => ({
  type: String,
  pattern: DECIMAL_AMOUNT_PATTERN,
  description,
  example,
});

/** Body of POST /api/v1/orders (and one entry of a batch). Amounts are decimal strings. */
export class PlaceOrderDto implements PlaceOrderInput {
  @ApiProperty({ example: 'BTC-USDT' })
  @Matches(SYMBOL_PATTERN, { message: 'symbol must look like BTC-USDT' })
  symbol!: string;

  @ApiProperty({ enum: ['BUY', 'SELL'] })
  @IsIn(SIDES)
  side!: 'BUY' | 'SELL';

  @ApiProperty({ enum: ['LIMIT', 'MARKET', 'STOP_LIMIT', 'STOP_MARKET'] })
  @IsIn(ORDER_TYPES)
  type!: 'LIMIT' | 'MARKET' | 'STOP_LIMIT' | 'STOP_MARKET';

  @ApiPropertyOptional({
    enum: ['GTC', 'IOC', 'FOK'],
    description: 'Limit orders: GTC by default. Market orders: IOC or absent.',
  })
  @IsOptional()
  @IsIn(TIMES_IN_FORCE)
  timeInForce?: 'GTC' | 'IOC' | 'FOK';

  @ApiPropertyOptional({ description: 'Limit orders: reject rather than take liquidity' })
  @IsOptional()
  @IsBoolean()
  postOnly?: boolean;

  @ApiPropertyOptional({
    enum: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    description: 'Self-trade prevention; NONE by default',
  })
  @IsOptional()
  @IsIn(STP_MODES)
  stp?: 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';

  @ApiPropertyOptional(
    decimal('LIMIT and STOP_LIMIT: price in quote per base, on the tick', '30000.50'),
  )
  @IsOptional()
  @IsDecimalAmount()
  price?: string;

  @ApiPropertyOptional(
    decimal('STOP_LIMIT and STOP_MARKET: the last trade price that triggers the order', '29000.00'),
  )
  @IsOptional()
  @IsDecimalAmount()
  stopPrice?: string;

  @ApiPropertyOptional(
    decimal('Base quantity, on the step; every order but a market buy by quote amount', '0.01'),
  )
  @IsOptional()
  @IsDecimalAmount()
  quantity?: string;

  @ApiPropertyOptional(
    decimal(
      'MARKET (or STOP_MARKET) BUY: spend at most this much quote, instead of a quantity',
      '100',
    ),
  )
  @IsOptional()
  @IsDecimalAmount()
  quoteAmount?: string;

  @ApiPropertyOptional(
    decimal(
      'MARKET BUY by quantity: the most quote it may spend (locked until settled). Without it the whole available quote balance is locked and the unspent part released at settlement.',
      '5000',
    ),
  )
  @IsOptional()
  @IsDecimalAmount()
  maxQuote?: string;

  @ApiPropertyOptional({
    description:
      'Your id of the order, unique per user; placing again with it returns the existing order',
    example: 'mm-42',
  })
  @IsOptional()
  @Matches(CLIENT_ORDER_ID_PATTERN, {
    message: 'clientOrderId must be 1-64 letters, digits or ._:-',
  })
  clientOrderId?: string;

  @ForbiddenField('the order id is assigned by the exchange') orderId?: never;
  @ForbiddenField('orders belong to the authenticated user') userId?: never;
  @ForbiddenField('the status is set by the exchange') status?: never;
  @ForbiddenField('fills are set by the exchange') filledQuantity?: never;
  @ForbiddenField('fills are set by the exchange') filledQuote?: never;
  @ForbiddenField('fees are set by the market') fee?: never;
  @ForbiddenField('locks are computed by the exchange') lockedAmount?: never;
}
