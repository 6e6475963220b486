import 'reflect-metadata';
import { runService } from '@app/platform';
import { MatchingEngineModule } from './matching-engine.module';
import { MatchingEngineSettings } from './matching-engine.settings';

void runService({
  name: 'matching-engine',
  settings: MatchingEngineSettings,
  module: (settings, logger) => MatchingEngineModule.forRoot(settings, logger),
});
