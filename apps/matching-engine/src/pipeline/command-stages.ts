// The life of one command in the matching-engine app, stage by stage, in the order they run. Read
// this first: each stage names the function that does it and where it lives. The leader session
// (leader/leader-session.ts) and the warm standby (follower/engine-follower.ts) take their stage
// functions from here, so this list is the wiring, not a description of it.
//
//  1. Consume   The leader's consumer fetches a batch of one partition of `exchange.orders`, read
//               committed (LeaderSession.startConsumer, onBatch). commandsToApply keeps the
//               records at and after the partition's committed position, never a gap.
//  2. Decode    decodeCommandRecord: the record's JSON value to an EngineCommand (the domain's
//               decodeCommand); a value that is not JSON becomes null, which the engine rejects.
//  3. Dedupe    isRestoredDuplicate: a place of an order the restored book already held; then,
//               inside MatchingEngine.apply, the commandId window (CommandIdWindow,
//               libs/domain/src/engine/command-window.ts) answers DUPLICATE. Duplicates publish
//               nothing.
//  4. Validate  inside MatchingEngine.apply: validateCommandBase and validateCommand
//               (libs/domain/src/engine/validate-command.ts); a refusal is a REJECTED result.
//  5. Match     MatchingEngine.apply -> OrderBook (libs/domain/src/book/order-book.ts): price-time
//               priority, synchronous, no I/O. applyCommandRecord is stages 2-5 for one record,
//               shared by the leader and the standby's replay.
//  6. Encode    BatchBuilder (command-batch.ts): one packed result per command into the results
//               partition of its market, per market one public trades record and one conflated
//               book record, the checkpoint and input-offset headers on each partition's last
//               results record (contracts in libs/messaging/src/contracts).
//  7. Produce   In one Kafka transaction (LeaderSession.commit, runInTransaction): the output in
//               sends cut by splitIntoSends (libs/messaging/src/send-batches.ts) under the broker's
//               record batch limit, then sendOffsets for the shard's consumer group.
//  8. Commit    The transaction commits only if the lease is still held (checked before the
//               transaction and again just before its commit); only then do the session's
//               positions (nextOffsets) move. A failed transaction ends the session: its book is
//               ahead of the log, and a fresh session restores.

/** 1. Consume: the records of a fetch to apply, given the partition's committed position. */
export { commandsToApply } from './commands-to-apply';
/** 2. Decode. */
export { decodeCommandRecord } from './command-batch';
/** 3. Dedupe, the part before the engine: places of orders the restored book holds. */
export { isRestoredDuplicate } from './command-batch';
/** 2-5. Decode, dedupe, validate and match one record (leader and standby alike). */
export { applyCommandRecord, type CommandRecord } from './command-batch';
/** 6. Encode one transaction's output. */
export { BatchBuilder, type BatchContext, type BatchOutput } from './command-batch';
/** 7. Produce: the output in sends the broker accepts, inside one transaction. */
export { splitIntoSends } from '@app/messaging';
