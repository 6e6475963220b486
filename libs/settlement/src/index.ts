// Public surface of @app/settlement: TX2 (apply engine results exactly once), its Kafka
// consumer, the "caught up" check the matching engine waits for, the progress guard health
// and metrics report stalls with, and the auditor.
export * from './settlement.constants';
export * from './settlement-error';
export * from './settlement.metrics';
export * from './order-status';
export * from './plan-batch';
export * from './apply-batch';
export * from './advance-checkpoint';
export * from './settlement-consumer';
export * from './caught-up';
export * from './settlement-progress';
export * from './progress-guard';
export * from './audit';
