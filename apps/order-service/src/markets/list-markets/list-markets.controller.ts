import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TraderRoute } from '../../http/api-docs';
import { MarketResponse } from './list-markets.dto';
import { ListMarketsHandler } from './list-markets.handler';

@ApiTags('trader')
@Controller('api/v1/markets')
export class ListMarketsController {
  constructor(private readonly handler: ListMarketsHandler) {}

  @Get()
  @TraderRoute()
  @ApiOperation({
    summary: 'Markets with their filters (tick, step, min/max quantity, min notional) and fees',
  })
  @ApiOkResponse({ type: MarketResponse, isArray: true })
  list(): Promise<MarketResponse[]> {
    return this.handler.execute();
  }
}
