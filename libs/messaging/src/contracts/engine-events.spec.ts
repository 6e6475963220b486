// Proves the results record codec: a packed record and a single envelope decode to the same
// envelopes (bigints exact, request ids kept), commandIds come out without decoding results, and
// malformed records are refused rather than half-read.
import { MatchingEngine, type EngineResult } from '@app/domain';
import { limit, market, UNIT } from '@app/domain/testing/fixtures';
import {
  decodeEngineResultRecord,
  encodeEngineResultEnvelope,
  encodePackedResult,
  engineResultCommandIds,
  packEngineResults,
} from './engine-events';

function someResults(): EngineResult[] {
  const engine = new MatchingEngine({ markets: [UNIT] });
  return [
    engine.apply(limit('s1', 'bob', 'SELL', 100, 5)),
    engine.apply(limit('s2', 'bob', 'SELL', 101, 5)),
    engine.apply(market('m1', 'alice', 'BUY', { quoteAmountMinor: 700n })),
  ];
}

describe('engine results records', () => {
  it('decodes a packed record into its envelopes in order, request ids kept', () => {
    const results = someResults();
    const value = packEngineResults(
      3,
      '42',
      results.map((r, i) => encodePackedResult(r, i === 1 ? undefined : `req-${i}`)),
    );
    expect(decodeEngineResultRecord(value)).toEqual([
      { shard: 3, fencingToken: '42', result: results[0], requestId: 'req-0' },
      { shard: 3, fencingToken: '42', result: results[1] },
      { shard: 3, fencingToken: '42', result: results[2], requestId: 'req-2' },
    ]);
    expect(engineResultCommandIds(value)).toEqual(results.map((r) => r.commandId));
  });

  it('reads a single-envelope record as one envelope', () => {
    const [result] = someResults();
    const value = encodeEngineResultEnvelope({ shard: 0, fencingToken: '7', result });
    expect(decodeEngineResultRecord(value)).toEqual([{ shard: 0, fencingToken: '7', result }]);
    expect(engineResultCommandIds(value)).toEqual([result.commandId]);
  });

  it('refuses malformed records', () => {
    const [result] = someResults();
    const entry = encodePackedResult(result);
    expect(() => decodeEngineResultRecord('{"fencingToken":"1","results":[]}')).toThrow(
      'shard or fencingToken',
    );
    expect(() => decodeEngineResultRecord(`{"shard":0,"fencingToken":"x","results":[]}`)).toThrow(
      'shard or fencingToken',
    );
    expect(() => decodeEngineResultRecord(`{"shard":0,"fencingToken":"1","results":[1]}`)).toThrow(
      'entry',
    );
    expect(() =>
      decodeEngineResultRecord(
        `{"shard":0,"fencingToken":"1","results":[{"requestId":5,"result":${JSON.stringify(JSON.parse(entry).result)}}]}`,
      ),
    ).toThrow('requestId');
  });
});
