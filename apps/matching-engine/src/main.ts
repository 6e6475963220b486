import 'reflect-metadata';
import { exchangeIdentityBootCheck } from '@app/exchange-identity';
import { runService } from '@app/platform';
import { MatchingEngineModule } from './matching-engine.module';
import { MatchingEngineSettings } from './matching-engine.settings';

void runService({
  name: 'matching-engine',
  settings: MatchingEngineSettings,
  // Before the leader election or a restore can touch either: the database and the log must be
  // one exchange's (design invariant 9).
  beforeStart: exchangeIdentityBootCheck('matching-engine'),
  module: (settings, logger) => MatchingEngineModule.forRoot(settings, logger),
});
