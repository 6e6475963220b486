import { ApiProperty } from '@nestjs/swagger';

/** A market's assets, filters and fees; decimals are strings in whole units. */
export class MarketResponse {
  @ApiProperty({ example: 'BTC-USDT' })
  symbol!: string;

  @ApiProperty({ example: 'BTC' })
  baseAsset!: string;

  @ApiProperty({ example: 'USDT' })
  quoteAsset!: string;

  @ApiProperty({ enum: ['TRADING', 'HALTED'] })
  status!: string;

  @ApiProperty({ example: 8, description: 'Decimals of the base asset' })
  baseScale!: number;

  @ApiProperty({ example: 8, description: 'Decimals of the quote asset' })
  quoteScale!: number;

  @ApiProperty({ example: '0.01', description: 'Price increment, quote per base' })
  tickSize!: string;

  @ApiProperty({ example: '0.00001', description: 'Quantity increment, base' })
  stepSize!: string;

  @ApiProperty({ example: '0.00001', description: 'Smallest order quantity, base' })
  minQty!: string;

  @ApiProperty({ example: '1000', description: 'Largest order quantity, base' })
  maxQty!: string;

  @ApiProperty({ example: '5', description: 'Smallest price x quantity, quote' })
  minNotional!: string;

  @ApiProperty({
    example: '0.001',
    description: 'Maker fee as a fraction of what the maker receives',
  })
  makerFeeRate!: string;

  @ApiProperty({
    example: '0.002',
    description: 'Taker fee as a fraction of what the taker receives',
  })
  takerFeeRate!: string;

  @ApiProperty({ example: 1000, description: 'Maker fee in parts per million' })
  makerFeePpm!: number;

  @ApiProperty({ example: 2000, description: 'Taker fee in parts per million' })
  takerFeePpm!: number;
}
