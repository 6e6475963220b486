// @app/outbox: the transactional outbox. `writeOutbox` inserts records in the caller's
// transaction; `OutboxRelay` publishes them to Kafka; `OutboxModule` runs the relay in a service.
export * from './outbox.constants';
export * from './outbox-error';
export * from './outbox.metrics';
export * from './outbox-relay';
export * from './outbox.module';
export { decodeFrame, encodeFrame, type DecodedMessage, type FramedMessage } from './message-frame';
export {
  messageCount,
  rowMessages,
  settledPrefix,
  STATS_SQL,
  toTopicMessages,
  type OutboxRow,
} from './relay-batch';
export * from './write-outbox';
