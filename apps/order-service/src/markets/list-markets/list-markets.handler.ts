import { Injectable } from '@nestjs/common';
import { loadMarkets } from '@app/database';
import { PPM_DENOMINATOR, formatScaled, marketSpecOf, type Market } from '@app/domain';
import { DataSource } from 'typeorm';
import type { MarketResponse } from './list-markets.dto';

/** Decimal places of a parts-per-million rate. */
const PPM_SCALE = Math.log10(PPM_DENOMINATOR);

/** A rate in parts per million as a decimal fraction without trailing zeros (1000 -> "0.001"). */
export function ppmToRate(ppm: number): string {
  return formatScaled(BigInt(ppm), PPM_SCALE).replace(/\.?0+$/, '') || '0';
}

function toResponse(market: Market): MarketResponse {
  return {
    ...marketSpecOf(market),
    makerFeeRate: ppmToRate(market.makerFeePpm),
    takerFeeRate: ppmToRate(market.takerFeePpm),
  };
}

/** Every market with its filters, read through the same loader the order path uses. */
@Injectable()
export class ListMarketsHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<MarketResponse[]> {
    const markets = await loadMarkets(this.dataSource);
    return [...markets.values()].map(toResponse);
  }
}
