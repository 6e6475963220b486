// The fast book keeps an order's quote total and its releases as numbers while they are exact and
// folds anything beyond 2^53 into a bigint: amounts on both sides of that line must come out exact
// and equal to the reference book's.
import { encodeResult } from '../engine/codec';
import { EngineCommand } from '../engine/commands';
import { MatchingEngine } from '../engine/matching-engine';
import { EngineResult } from '../engine/results';
import { ReferenceBook } from '../reference/reference-book';
import { cancel, limit, UNIT } from '../testing/fixtures';

// UNIT's tick-lot is one quote minor unit: prices near 2^52 put a few lots past 2^53.
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function runBoth(commands: EngineCommand[]): EngineResult[] {
  const fast = new MatchingEngine({ markets: [UNIT] });
  const reference = new MatchingEngine({
    markets: [UNIT],
    bookFactory: (market, snapshot) => new ReferenceBook(market, snapshot),
  });
  return commands.map((command) => {
    const result = fast.apply(command);
    expect(JSON.stringify(encodeResult(result))).toBe(
      JSON.stringify(encodeResult(reference.apply(command))),
    );
    fast.validateInternalState();
    return result;
  });
}

describe('amounts beyond 2^53 in the fast book', () => {
  it('folds a quote total that crosses 2^53 into an exact bigint', () => {
    // Each fill is 3 x 1,500,000,000,000,001 (exact as a number); the third takes the maker's total
    // past 2^53 to an odd amount no double can hold.
    const price = 1_500_000_000_000_001;
    const results = runBoth([
      limit('maker', 'u1', 'SELL', price, 9),
      limit('t1', 'u2', 'BUY', price, 3),
      limit('t2', 'u2', 'BUY', price, 3),
      limit('t3', 'u2', 'BUY', price, 3),
    ]);
    const maker = (n: number) => results[n].ordersAffected.find((o) => o.orderId === 'maker');
    expect(maker(2)?.quoteFilledMinor).toBe(6n * BigInt(price));
    expect(maker(3)?.quoteFilledMinor).toBe(9n * BigInt(price));
    expect(9n * BigInt(price) > MAX_SAFE).toBe(true);
    expect(maker(3)?.status).toBe('FILLED');
  });

  it('keeps a single trade and a release above 2^53 exact', () => {
    const price = 2 ** 52 + 1;
    const results = runBoth([
      limit('maker', 'u1', 'SELL', price, 3),
      limit('taker', 'u2', 'BUY', price, 3),
      limit('rest', 'u3', 'BUY', price - 2, 3),
      cancel('rest', 'u3'),
    ]);
    expect(results[1].trades[0].quoteMinor).toBe(3n * BigInt(price));
    expect(results[1].order?.quoteFilledMinor).toBe(3n * BigInt(price));
    expect(results[3].order?.releasedMinor).toBe(3n * BigInt(price - 2));
    expect(3n * BigInt(price - 2) > MAX_SAFE).toBe(true);
  });
});
