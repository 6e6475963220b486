import 'reflect-metadata';
import { runService } from '@app/platform';
import { GatewayModule } from './gateway.module';
import { GatewaySettings } from './gateway.settings';

void runService({
  name: 'gateway',
  settings: GatewaySettings,
  module: (settings) => GatewayModule.forRoot(settings),
});
