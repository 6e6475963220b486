// Public surface of @app/domain: money and market arithmetic, command and result contracts, the
// matching engine and its books. Pure TypeScript: no Nest, no I/O, no clock.
export * from './constants';
export * from './error-codes';
export { assert, DomainInvariantError, EngineInvariantError } from './assert';
export * from './money/decimal';
export * from './money/market';
export * from './money/parse';
export * from './money/amounts';
export * from './engine/commands';
export * from './engine/results';
export * from './engine/matching-book';
export * from './engine/validate-command';
export * from './engine/codec';
export * from './engine/state-hash';
export * from './engine/open-orders';
export { rejectedResult } from './engine/result-factory';
export * from './engine/matching-engine';
export { OrderBook } from './book/order-book';
export { ReferenceBook } from './reference/reference-book';
