import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  Matches,
  ValidateNested,
} from 'class-validator';
import { DECIMAL_AMOUNT_PATTERN, IsDecimalAmount } from '../../http/decimal-amount.decorator';
import { ForbiddenField } from '../../http/forbidden-field.decorator';
import { BATCH_ORDERS_MAX } from '../place-batch/place-batch.handler';
import type { PlaceOrderInput } from '../prepare-order';

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

/** Body of POST /api/v1/orders/batch. */
export class PlaceBatchDto {
  @ApiProperty({ type: PlaceOrderDto, isArray: true, maxItems: BATCH_ORDERS_MAX, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_ORDERS_MAX, { message: `a batch holds at most ${BATCH_ORDERS_MAX} orders` })
  @ValidateNested({ each: true })
  @Type(() => PlaceOrderDto)
  orders!: PlaceOrderDto[];
}

/** One result of a batch: the order's id when placed (or placed before), the reason when not. */
export class BatchItemView {
  @ApiProperty({ description: 'Position in the request' }) index!: number;
  @ApiProperty({
    enum: ['ACCEPTED', 'EXISTING', 'REJECTED'],
    description:
      'ACCEPTED: placed by this request (status NEW). EXISTING: the clientOrderId was already used; orderId is that order. REJECTED: nothing was written for this entry.',
  })
  status!: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'ACCEPTED and EXISTING; GET /api/v1/orders/{orderId} shows the order',
  })
  orderId?: string;
  @ApiProperty({ nullable: true, type: String, description: 'As sent, or null' })
  clientOrderId!: string | null;
  @ApiPropertyOptional({ description: 'Why it was rejected (same codes as single orders)' })
  code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: Object }) details?: Record<string, unknown>;
}

export class BatchResponse {
  @ApiProperty({ type: BatchItemView, isArray: true }) results!: BatchItemView[];
}
