// Proves the state hash: FNV-1a 64 test vectors, equal hashes for books rebuilt from a snapshot or
// from open orders in any order, and different hashes when anything that matters differs.
import { limit, UNIT } from '../testing/fixtures';
import { MatchingEngine } from './matching-engine';
import { Fnv1a64 } from './state-hash';

describe('state hash', () => {
  it('implements FNV-1a 64', () => {
    expect(new Fnv1a64().digest()).toBe('cbf29ce484222325');
    const a = new Fnv1a64();
    a.byte(0x61);
    expect(a.digest()).toBe('af63dc4c8601ec8c');
    const foobar = new Fnv1a64();
    for (const c of 'foobar') foobar.byte(c.charCodeAt(0));
    expect(foobar.digest()).toBe('85944171f73967e8');
  });

  const build = () => {
    const engine = new MatchingEngine({ markets: [UNIT] });
    engine.apply(limit('b1', 'alice', 'BUY', 99, 5));
    engine.apply(limit('b2', 'bob', 'BUY', 99, 3));
    engine.apply(limit('s1', 'carol', 'SELL', 101, 4));
    engine.apply(limit('s2', 'carol', 'SELL', 100, 4));
    engine.apply(limit('b3', 'dave', 'BUY', 100, 1));
    engine.apply(limit('x1', 'erin', 'BUY', 120, 1, { stopPriceTicks: 110 }));
    return engine;
  };

  it('is equal for a book rebuilt from its snapshot or from its open orders', () => {
    const engine = build();
    const fromSnapshot = new MatchingEngine({ markets: [UNIT] });
    fromSnapshot.restore(engine.snapshot());
    expect(fromSnapshot.stateHash()).toBe(engine.stateHash());

    const book = engine.snapshot().books[0];
    const rows = [...book.asks, ...book.stops, ...book.bids]
      .reverse()
      .map((order) => ({ ...order, symbol: UNIT.symbol }));
    const fromRows = new MatchingEngine({ markets: [UNIT] });
    fromRows.restoreFromOpenOrders(rows, { [UNIT.symbol]: { ...book, nextPrioritySeq: 0 } });
    expect(fromRows.stateHash()).toBe(engine.stateHash());
    expect(fromRows.stateHash(UNIT.symbol)).toBe(engine.stateHash(UNIT.symbol));
    fromRows.validateInternalState();
  });

  it('differs when the order of a queue differs', () => {
    const engine = build();
    const book = engine.snapshot().books[0];
    const swapped = { ...book, bids: [book.bids[1], book.bids[0], ...book.bids.slice(2)] };
    const other = new MatchingEngine({ markets: [UNIT] });
    other.restore({
      books: [{ ...swapped, bids: swapped.bids.map((o, i) => ({ ...o, prioritySeq: i + 1 })) }],
      recentCommandIds: [],
    });
    expect(other.stateHash()).not.toBe(engine.stateHash());
  });

  it('is the same for the same command stream run twice', () => {
    expect(build().stateHash()).toBe(build().stateHash());
  });
});
