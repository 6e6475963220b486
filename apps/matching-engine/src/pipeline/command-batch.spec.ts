// Proves the leader's batch step on a real MatchingEngine: one packed result per applied command
// (request id kept) in records under the size bound on the market's partition, per-market public
// trades and conflated book changes in display units, the checkpoint header only on the
// partition's last record, and no output for duplicates (a repeated commandId, or a place of an
// order that was live when the book was restored).
import { encodeCommand, MatchingEngine, type EngineCommand } from '@app/domain';
import { cancel, limit, UNIT } from '@app/domain/testing/fixtures';
import { decodeCheckpoint, decodeEngineResultRecord, ENGINE_RESULT_HEADERS } from '@app/messaging';
import { RESULTS_RECORD_BYTES_MAX } from '../engine.constants';
import { applyBatch, BatchBuilder, type BatchContext, type CommandRecord } from './command-batch';

const record = (command: EngineCommand, requestId = 'req-1'): CommandRecord => ({
  key: Buffer.from(command.symbol),
  value: Buffer.from(JSON.stringify(encodeCommand(command))),
  headers: {
    'x-request-id': Buffer.from(requestId),
    'x-command-id': Buffer.from(command.commandId),
  },
});

function context(restoredOrderIds: string[] = []): BatchContext {
  return {
    shard: 0,
    fencingToken: '7',
    topics: { results: 'r', trades: 't', book: 'b' },
    partitionOfSymbol: new Map([[UNIT.symbol, 3]]),
    symbolsOfPartition: new Map([[3, [UNIT.symbol]]]),
    restoredOrderIds: new Set(restoredOrderIds),
    hashBooks: true,
    hashCache: new Map(),
  };
}

describe('applyBatch', () => {
  it('packs the results in one record with the checkpoint, and per market trades and book', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const sell = limit('s1', 'bob', 'SELL', 100, 5);
    const buy = limit('b1', 'alice', 'BUY', 100, 3);
    const out = applyBatch(engine, [record(sell), record(buy, 'req-2')], context());
    expect(out).toMatchObject({ applied: 2, duplicates: 0 });
    const [results, trades, book] = out.records;
    expect(results.topic).toBe('r');
    expect(results.messages).toHaveLength(1);
    // The market's partition, whatever the input partition was.
    expect(results.messages[0].partition).toBe(3);
    const envelopes = decodeEngineResultRecord(results.messages[0].value as Buffer);
    expect(
      envelopes.map((e) => [
        e.shard,
        e.fencingToken,
        e.result.commandId,
        e.result.status,
        e.requestId,
      ]),
    ).toEqual([
      [0, '7', sell.commandId, 'ACCEPTED', 'req-1'],
      [0, '7', buy.commandId, 'FILLED', 'req-2'],
    ]);
    expect(results.messages[0].headers).toMatchObject({
      'x-schema-version': '1',
      'x-shard': '0',
      'x-fencing-token': '7',
    });
    const checkpoint = decodeCheckpoint(
      String(results.messages[0].headers?.[ENGINE_RESULT_HEADERS.checkpoint]),
    );
    expect(checkpoint[UNIT.symbol]).toEqual({
      status: 'TRADING',
      eventSeq: 2,
      tradeSeq: 1,
      lastTradePriceTicks: 100,
      nextPrioritySeq: 2,
      stateHash: engine.stateHash(UNIT.symbol),
    });
    // One record per market and transaction: its trades, and its book changes conflated.
    expect(trades.messages.map((m) => JSON.parse(String(m.value)))).toEqual([
      {
        symbol: 'UNIT',
        trades: [
          {
            symbol: 'UNIT',
            tradeSeq: 1,
            eventSeq: 2,
            commandId: buy.commandId,
            price: '100',
            quantity: '3',
            takerSide: 'BUY',
            timestampMs: buy.timestampMs,
          },
        ],
      },
    ]);
    expect(book.messages.map((m) => JSON.parse(String(m.value)))).toEqual([
      {
        symbol: 'UNIT',
        fromEventSeq: 1,
        eventSeq: 2,
        commandIds: [sell.commandId, buy.commandId],
        timestampMs: buy.timestampMs,
        bids: [],
        asks: [['100', '2']],
      },
    ]);
    for (const m of [...trades.messages, ...book.messages]) {
      expect(m.key).toBe('UNIT');
      expect(m.headers).toEqual({
        'x-schema-version': '1',
        'x-shard': '0',
        'x-fencing-token': '7',
      });
    }
  });

  it('conflates a market book changes to each level last total, removed levels as 0', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const commands = [
      limit('s1', 'bob', 'SELL', 100, 5),
      limit('s2', 'bob', 'SELL', 101, 4),
      limit('b1', 'carol', 'BUY', 90, 2),
      limit('b2', 'alice', 'BUY', 100, 5), // takes all of 100
      cancel('b1', 'carol'),
      limit('b3', 'alice', 'BUY', 95, 1),
    ];
    const out = applyBatch(
      engine,
      commands.map((c) => record(c)),
      context(),
    );
    const [update] = out.records
      .find((r) => r.topic === 'b')!
      .messages.map((m) => JSON.parse(String(m.value)));
    expect(update).toMatchObject({
      fromEventSeq: 1,
      eventSeq: 6,
      commandIds: commands.map((c) => c.commandId),
    });
    expect(Object.fromEntries(update.asks)).toEqual({ '100': '0', '101': '4' });
    expect(Object.fromEntries(update.bids)).toEqual({ '90': '0', '95': '1' });
    // Applying the conflated levels to an empty book gives the engine's book.
    const snapshot = engine.book(UNIT.symbol)!.snapshot();
    const live = (orders: typeof snapshot.bids) =>
      Object.fromEntries(
        [...new Set(orders.map((o) => o.priceTicks))].map((p) => [
          String(p),
          String(orders.filter((o) => o.priceTicks === p).reduce((n, o) => n + o.remainingLots, 0)),
        ]),
      );
    const nonZero = (levels: [string, string][]) =>
      Object.fromEntries(levels.filter(([, q]) => q !== '0'));
    expect(nonZero(update.asks)).toEqual(live(snapshot.asks));
    expect(nonZero(update.bids)).toEqual(live(snapshot.bids));
  });

  it('publishes nothing for a redelivered command or a place of a restored order', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const place = limit('o1', 'alice', 'BUY', 90, 1);
    applyBatch(engine, [record(place)], context());
    const again = applyBatch(
      engine,
      [record(place), record(limit('r1', 'bob', 'SELL', 200, 1))],
      context(['r1']),
    );
    expect(again).toMatchObject({ applied: 0, duplicates: 2, records: [] });
    const gone = applyBatch(engine, [record(cancel('o1', 'alice'))], context());
    expect(gone.applied).toBe(1);
  });

  it('answers a record that is not a command with one REJECTED result', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const garbage: CommandRecord = {
      key: Buffer.from('UNIT'),
      value: Buffer.from('{not json'),
      headers: { 'x-command-id': Buffer.from('c-bad') },
    };
    const out = applyBatch(engine, [garbage], context(), 5);
    const [envelope] = decodeEngineResultRecord(out.records[0].messages[0].value as Buffer);
    expect(envelope.result.status).toBe('REJECTED');
    // No market: the result stays on the partition the record came from, without a checkpoint.
    expect(out.records[0].messages[0].partition).toBe(5);
    expect(out.records[0].messages[0].headers?.[ENGINE_RESULT_HEADERS.checkpoint]).toBeUndefined();
  });

  it('stamps the next input offset on the input partition last record only', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const builder = new BatchBuilder(engine, context(), 3);
    builder.add([
      record(limit('s1', 'bob', 'SELL', 100, 5)),
      record(limit('s2', 'bob', 'SELL', 101, 1)),
    ]);
    const [results] = builder.finish(42n).records;
    expect(results.messages.map((m) => m.headers?.[ENGINE_RESULT_HEADERS.inputOffset])).toEqual([
      '42',
    ]);
    // Another input partition (a stray command's market lives elsewhere): no stamp here.
    const stray = new BatchBuilder(new MatchingEngine({ markets: [UNIT] }), context(), 5);
    stray.add([record(limit('s3', 'bob', 'SELL', 100, 5))]);
    const [strayResults] = stray.finish(7n).records;
    expect(strayResults.messages[0].partition).toBe(3);
    expect(strayResults.messages[0].headers?.[ENGINE_RESULT_HEADERS.inputOffset]).toBeUndefined();
  });

  it('cuts a large transaction results into records under the bound, checkpoint on the last', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    const commands = Array.from({ length: 1_500 }, (_, i) =>
      limit(`o${i}`, `u${i % 7}`, i % 2 === 0 ? 'BUY' : 'SELL', i % 2 === 0 ? 90 : 110, 1),
    );
    const out = applyBatch(
      engine,
      commands.map((c) => record(c)),
      context(),
    );
    const [results] = out.records;
    expect(results.messages.length).toBeGreaterThan(2);
    for (const m of results.messages) {
      expect((m.value as Buffer).length).toBeLessThanOrEqual(RESULTS_RECORD_BYTES_MAX + 1_024);
      expect(m.partition).toBe(3);
    }
    const decoded = results.messages.flatMap((m) => decodeEngineResultRecord(m.value as Buffer));
    expect(decoded.map((e) => e.result.commandId)).toEqual(commands.map((c) => c.commandId));
    const stamped = results.messages.map(
      (m) => m.headers?.[ENGINE_RESULT_HEADERS.checkpoint] !== undefined,
    );
    expect(stamped).toEqual(results.messages.map((_, i) => i === results.messages.length - 1));
  });

  it('builds the same output a slice at a time as in one go', () => {
    const commands = [
      limit('s1', 'bob', 'SELL', 100, 5),
      limit('s2', 'bob', 'SELL', 101, 5),
      limit('b1', 'alice', 'BUY', 101, 7),
      cancel('s2', 'bob'),
    ];
    const whole = applyBatch(
      new MatchingEngine({ markets: [UNIT] }),
      commands.map((c) => record(c)),
      context(),
    );
    const builder = new BatchBuilder(new MatchingEngine({ markets: [UNIT] }), context(), 0);
    const records = commands.map((c) => record(c));
    builder.add(records, 0, 1);
    builder.add(records, 1, 3);
    builder.add(records, 3);
    expect(builder.finish()).toEqual(whole);
  });
});
