import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import {
  SETTLEMENT_OPTIONS,
  SettlementService,
  type SettlementModuleOptions,
} from './settlement.service';

/**
 * Settlement (TX2) in order-service: the consumer of engine results (when enabled) and the
 * operator's audit endpoint. Needs the global DataSource, KAFKA, TopicNames and the logger.
 */
@Module({})
export class SettlementModule {
  static forRoot(options: SettlementModuleOptions): DynamicModule {
    return {
      module: SettlementModule,
      imports: [AuditModule],
      providers: [{ provide: SETTLEMENT_OPTIONS, useValue: options }, SettlementService],
      exports: [SettlementService],
    };
  }
}
