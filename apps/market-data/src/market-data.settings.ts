import { BaseSettings, withKafka, withRedis } from '@app/config';

/** market-data reads these environment variables (see README, Configuration). */
export class MarketDataSettings extends withRedis(withKafka(BaseSettings)) {
  override PORT = 3004;
}
