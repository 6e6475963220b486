import 'reflect-metadata';
import { runService } from '@app/platform';
import { MarketDataModule } from './market-data.module';
import { MarketDataSettings } from './market-data.settings';

void runService({
  name: 'market-data',
  settings: MarketDataSettings,
  module: (settings) => MarketDataModule.forRoot(settings),
});
