// Test helpers: each run gets its own database, Kafka topic prefix and Redis key prefix, and
// services run as real child processes.
export * from './audit';
export * from './database';
export * from './kafka';
export * from './outbox';
export * from './processes';
export * from './run-id';
export * from './wait';
