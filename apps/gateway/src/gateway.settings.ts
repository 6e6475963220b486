import { Matches } from 'class-validator';
import { BaseSettings, withDatabase, withRedis } from '@app/config';

const HTTP_URL = /^https?:\/\/[^\s/]+(:\d+)?\/?$/;

/** gateway reads these environment variables (see README, Configuration). */
export class GatewaySettings extends withRedis(withDatabase(BaseSettings)) {
  override PORT = 3000;

  /** Where authenticated API calls are forwarded. */
  @Matches(HTTP_URL, { message: 'must be an http(s)://host:port URL' })
  ORDER_SERVICE_URL = 'http://127.0.0.1:3001';

  /** Where public market data and Socket.IO connections are forwarded. */
  @Matches(HTTP_URL, { message: 'must be an http(s)://host:port URL' })
  MARKET_DATA_URL = 'http://127.0.0.1:3004';
}
