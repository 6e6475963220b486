import 'reflect-metadata';
import { runService } from '@app/platform';
import { setupSwagger } from './swagger';
import { OrderServiceModule } from './order-service.module';
import { OrderServiceSettings } from './order-service.settings';

void runService({
  name: 'order-service',
  settings: OrderServiceSettings,
  module: (settings, logger) => OrderServiceModule.forRoot(settings, logger),
  configure: (app) => setupSwagger(app),
});
