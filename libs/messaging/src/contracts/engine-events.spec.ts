// Proves the results record codec: a packed record decodes to its envelopes (bigints exact,
// request ids kept), a run of one to one envelope, commandIds come out without decoding results,
// and malformed records and the dropped single-envelope shape are refused rather than half-read.
import { MatchingEngine, type EngineResult } from '@app/domain';
import { limit, market, UNIT } from '@app/domain/testing/fixtures';
import {
  decodeEngineResultRecord,
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

  it('reads a run of one result as one envelope', () => {
    const [result] = someResults();
    const value = packEngineResults(0, '7', [encodePackedResult(result)]);
    expect(decodeEngineResultRecord(value)).toEqual([{ shard: 0, fencingToken: '7', result }]);
    expect(engineResultCommandIds(value)).toEqual([result.commandId]);
  });

  it('refuses the dropped single-envelope shape instead of reading it', () => {
    const [result] = someResults();
    const entry = encodePackedResult(result);
    const single = `{"shard":0,"fencingToken":"7","result":${JSON.stringify(JSON.parse(entry).result)}}`;
    expect(() => decodeEngineResultRecord(single)).toThrow('no results list');
    expect(() => engineResultCommandIds(single)).toThrow('no results list');
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
