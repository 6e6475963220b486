// Proves the leader's book snapshot survives the trip through Kafka records: bigint amounts stay
// exact, a snapshot cut into parts reassembles only when every part is there, other shards'
// records are ignored, the newest complete snapshot wins, and restoring it then replaying the
// same commands as the leader (applyCommandRecord) gives the leader's state hash.
import {
  createMarket,
  encodeCommand,
  marketSpecOf,
  MatchingEngine,
  type EngineCommand,
} from '@app/domain';
import { cancel, limit, market, UNIT } from '@app/domain/testing/fixtures';
import { applyCommandRecord, type CommandRecord } from './command-batch';
import { decodeShardSnapshot, encodeShardSnapshot, type ShardSnapshot } from '@app/messaging';
import { snapshotRecords, SnapshotAssembler } from './snapshot';

const record = (command: EngineCommand): CommandRecord => ({
  key: Buffer.from(command.symbol),
  value: Buffer.from(JSON.stringify(encodeCommand(command))),
});

function shardSnapshot(engine: MatchingEngine, shard = 0, restored: string[] = []): ShardSnapshot {
  return {
    shard,
    fencingToken: '9',
    inputOffsets: { '0': '42', '3': '7' },
    restoredOrderIds: restored,
    markets: [marketSpecOf(UNIT)],
    engine: engine.snapshot(),
    stateHashes: Object.fromEntries(engine.symbols().map((s) => [s, engine.stateHash(s)])),
  };
}

function busyEngine(orders: number): MatchingEngine {
  const engine = new MatchingEngine({ markets: [UNIT] });
  for (let i = 0; i < orders; i++) {
    const side = i % 2 === 0 ? 'BUY' : 'SELL';
    const price = side === 'BUY' ? 90 + (i % 7) : 110 + (i % 5);
    engine.apply(limit(`o${i}`, `u${i % 13}`, side, price, 1 + (i % 4)));
  }
  // A market buy by quote leaves a partial fill with a bigint quote amount on the makers.
  engine.apply(market('m1', 'taker', 'BUY', { quoteAmountMinor: 25_000n }));
  return engine;
}

describe('engine snapshot records', () => {
  it('round-trips a book exactly, bigints included', () => {
    const engine = busyEngine(200);
    const snapshot = shardSnapshot(engine, 0, ['o1', 'o2']);
    const decoded = decodeShardSnapshot(encodeShardSnapshot(snapshot));
    expect(decoded).toEqual(snapshot);
    const restored = new MatchingEngine({ markets: [UNIT] });
    restored.restore(decoded.engine);
    expect(restored.stateHash(UNIT.symbol)).toBe(engine.stateHash(UNIT.symbol));
  });

  it('reassembles a snapshot cut into parts only once every part is seen', () => {
    const engine = busyEngine(300);
    const snapshot = shardSnapshot(engine);
    const records = snapshotRecords(snapshot, '9-1', 4_096);
    expect(records.length).toBeGreaterThan(3);
    const partial = new SnapshotAssembler(0);
    for (const r of records.slice(0, -1)) partial.add(r.value as Buffer, r.headers);
    expect(partial.result()).toBeUndefined();
    const whole = new SnapshotAssembler(0);
    for (const r of records) whole.add(r.value as Buffer, r.headers);
    expect(whole.result()).toEqual(snapshot);
  });

  it('ignores other shards and keeps the newest complete snapshot', () => {
    const older = shardSnapshot(busyEngine(10));
    const newer = shardSnapshot(busyEngine(20));
    const otherShard = shardSnapshot(busyEngine(30), 1);
    const assembler = new SnapshotAssembler(0);
    const feed = (records: ReturnType<typeof snapshotRecords>) => {
      for (const r of records) assembler.add(r.value as Buffer, r.headers);
    };
    feed(snapshotRecords(older, '9-1', 2_048));
    feed(snapshotRecords(newer, '9-2', 2_048));
    // A newer snapshot whose transaction the reader saw only part of (it cannot happen with
    // read committed, but a truncated read must not win) and another shard's newest.
    feed(snapshotRecords(shardSnapshot(busyEngine(40)), '9-3', 2_048).slice(1));
    feed(snapshotRecords(otherShard, '9-4', 2_048));
    expect(assembler.result()).toEqual(newer);
  });

  it('restore plus replay of the same commands reaches the leader state hash', () => {
    const leader = busyEngine(100);
    const restoredOrderIds = new Set(['o0']);
    const snapshot = shardSnapshot(leader, 0, [...restoredOrderIds]);
    const follower = new MatchingEngine({ markets: [UNIT] });
    follower.restore(decodeShardSnapshot(encodeShardSnapshot(snapshot)).engine);
    const later = [
      limit('n1', 'u1', 'SELL', 95, 3),
      cancel('o4', 'u4'),
      limit('o0', 'u0', 'BUY', 91, 1), // a redelivered place of a restored order: skipped
      market('n2', 'u2', 'SELL', { qtyLots: 5 }),
    ].map(record);
    for (const r of later) {
      applyCommandRecord(leader, r, restoredOrderIds);
      applyCommandRecord(follower, r, new Set(snapshot.restoredOrderIds));
    }
    expect(follower.stateHash(UNIT.symbol)).toBe(leader.stateHash(UNIT.symbol));
    expect(follower.snapshot()).toEqual(leader.snapshot());
  });

  it('carries the markets exactly: a standby builds the leader engine, not the database one', () => {
    const decoded = decodeShardSnapshot(encodeShardSnapshot(shardSnapshot(busyEngine(3))));
    const markets = decoded.markets.map((spec) => createMarket(spec));
    expect(markets).toEqual([UNIT]);
    expect(decoded.markets).toEqual([marketSpecOf(UNIT)]);
  });

  it('refuses a malformed snapshot', () => {
    expect(() => decodeShardSnapshot(Buffer.from('{"shard":"x"}'))).toThrow('malformed');
    const good = JSON.parse(encodeShardSnapshot(shardSnapshot(busyEngine(3))).toString());
    expect(() =>
      decodeShardSnapshot(Buffer.from(JSON.stringify({ ...good, restoredOrderIds: 'o1' }))),
    ).toThrow('malformed');
  });
});
