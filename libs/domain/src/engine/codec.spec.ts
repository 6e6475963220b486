// Proves that commands, results and snapshots survive JSON exactly (bigints as decimal strings),
// that decoded commands take one canonical shape, and that a malformed amount is left for the
// engine to reject rather than thrown on.
import { limit, market, UNIT } from '../testing/fixtures';
import {
  decodeCommand,
  decodeResult,
  decodeSnapshot,
  encodeCommand,
  encodeResult,
  encodeSnapshot,
} from './codec';
import { MatchingEngine } from './matching-engine';

const viaJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

describe('codec', () => {
  it('round-trips commands with bigint amounts', () => {
    const command = market('m1', 'alice', 'BUY', { quoteAmountMinor: 12_345_678_901_234_567_890n });
    const json = encodeCommand(command);
    expect(json).toMatchObject({ quoteAmountMinor: '12345678901234567890' });
    const decoded = decodeCommand(viaJson(json));
    expect(encodeCommand(decoded)).toEqual(json);
    expect((decoded as typeof command).quoteAmountMinor).toBe(12_345_678_901_234_567_890n);
  });

  it('decodes every place command to the same shape', () => {
    const a = decodeCommand(viaJson(encodeCommand(limit('a', 'u', 'BUY', 1, 1))));
    const b = decodeCommand(
      viaJson(encodeCommand(market('b', 'u', 'SELL', { qtyLots: 1, clientOrderId: 'k' }))),
    );
    expect(Object.keys(a)).toEqual(Object.keys(b));
  });

  it('leaves a malformed amount for the engine to reject', () => {
    const json = {
      ...(viaJson(encodeCommand(market('m1', 'alice', 'BUY', { quoteAmountMinor: 5n }))) as object),
      quoteAmountMinor: '5.5',
    };
    const engine = new MatchingEngine({ markets: [UNIT] });
    expect(engine.apply(decodeCommand(json))).toMatchObject({
      status: 'REJECTED',
      code: 'INVALID_COMMAND',
    });
  });

  it('round-trips results and snapshots', () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    engine.apply(limit('s1', 'bob', 'SELL', 100, 5));
    const result = engine.apply(limit('b1', 'alice', 'BUY', 101, 7, { clientOrderId: 'mine' }));
    expect(encodeResult(decodeResult(viaJson(encodeResult(result))))).toEqual(encodeResult(result));
    expect(decodeResult(viaJson(encodeResult(result))).trades[0].quoteMinor).toBe(500n);
    const snapshot = engine.snapshot();
    expect(decodeSnapshot(viaJson(encodeSnapshot(snapshot)))).toEqual(snapshot);
  });
});
