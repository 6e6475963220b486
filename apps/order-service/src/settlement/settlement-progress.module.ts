import { Module, type DynamicModule } from '@nestjs/common';
import {
  SETTLEMENT_PROGRESS_OPTIONS,
  SettlementProgressService,
  type SettlementProgressOptions,
} from './settlement-progress.service';

/**
 * Holds the settlement progress guard so that the health module (which imports this module) can
 * inject it into its readiness check and details. Needs the global DataSource, KAFKA,
 * TopicNames and order-service's logger.
 */
@Module({})
export class SettlementProgressModule {
  static forRoot(options: SettlementProgressOptions): DynamicModule {
    return {
      module: SettlementProgressModule,
      providers: [
        { provide: SETTLEMENT_PROGRESS_OPTIONS, useValue: options },
        SettlementProgressService,
      ],
      exports: [SettlementProgressService],
    };
  }
}
