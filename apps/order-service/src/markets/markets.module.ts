import { Module } from '@nestjs/common';
import { ListMarketsController } from './list-markets/list-markets.controller';
import { ListMarketsHandler } from './list-markets/list-markets.handler';

/** Reference data for traders: markets and their filters. */
@Module({ controllers: [ListMarketsController], providers: [ListMarketsHandler] })
export class MarketsModule {}
