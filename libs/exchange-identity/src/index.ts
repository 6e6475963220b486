// Public surface of @app/exchange-identity: the check that a database and a Kafka log belong to
// one exchange (design invariant 9), its decision table, and the boot check services run.
export * from './exchange-identity.constants';
export * from './exchange-identity-error';
export * from './decide-identity';
export * from './refusal-message';
export * from './database-identity';
export * from './log-identity';
export * from './check-exchange-identity';
export * from './boot-check';
