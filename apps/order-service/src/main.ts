import 'reflect-metadata';
import { exchangeIdentityBootCheck } from '@app/exchange-identity';
import { runService } from '@app/platform';
import { setupSwagger } from './swagger';
import { OrderServiceModule } from './order-service.module';
import { OrderServiceSettings } from './order-service.settings';

void runService({
  name: 'order-service',
  settings: OrderServiceSettings,
  // Before settlement or the outbox relay can touch either: the database and the log must be
  // one exchange's (design invariant 9).
  beforeStart: exchangeIdentityBootCheck('order-service'),
  module: (settings, logger) => OrderServiceModule.forRoot(settings, logger),
  configure: (app) => setupSwagger(app),
});
