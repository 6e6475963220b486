// @app/database: the exchange schema (migrations), connection setup, amount conversions, the
// demo seed, and a small Nest adapter.
export * from './admin';
export * from './amount';
export * from './constants';
export * from './data-source';
export * from './database.module';
export * from './deposit';
export * from './withdrawal';
export * from './health';
export * from './migrator';
export * from './seed';
export { MIGRATIONS } from './migrations';
export * from './markets';
