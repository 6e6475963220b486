import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OrderView } from '../order-view';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../orders.constants';

/** Filters and paging shared by the list endpoints. */
export class ListQueryDto {
  @ApiPropertyOptional({ example: 'BTC-USDT' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$/)
  symbol?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only items at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only items before this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  limit?: number;
}

export class OrderPage {
  @ApiProperty({ type: OrderView, isArray: true }) items!: OrderView[];
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last',
  })
  nextCursor!: string | null;
}

export class TradeView {
  @ApiProperty({ example: 'BTC-USDT' }) symbol!: string;
  @ApiProperty({ description: 'Per-symbol trade sequence' }) tradeSeq!: string;
  @ApiProperty({ format: 'uuid' }) orderId!: string;
  @ApiProperty({ enum: ['BUY', 'SELL'], description: "The caller's side" }) side!: string;
  @ApiProperty({ enum: ['MAKER', 'TAKER'] }) liquidity!: string;
  @ApiProperty({ example: '30000.00' }) price!: string;
  @ApiProperty({ example: '0.01000' }) quantity!: string;
  @ApiProperty({ description: 'price x quantity in the quote asset' }) quoteAmount!: string;
  @ApiProperty() fee!: string;
  @ApiProperty() feeAsset!: string;
  @ApiProperty({ format: 'date-time' }) executedAt!: string;
}

export class TradePage {
  @ApiProperty({ type: TradeView, isArray: true }) items!: TradeView[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}
