import { ApiProperty } from '@nestjs/swagger';

/** One balance of the calling trader, in whole units with the asset's scale. */
export class BalanceResponse {
  @ApiProperty({ example: 'USDT' })
  asset!: string;

  @ApiProperty({ example: '98500.25000000', description: 'Free to spend, lock or withdraw' })
  available!: string;

  @ApiProperty({ example: '1500.00000000', description: 'Held by open orders' })
  locked!: string;
}
