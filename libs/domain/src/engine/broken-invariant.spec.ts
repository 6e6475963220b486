// Proves a broken invariant stops the engine instead of yielding a result: a fast book corrupted by
// hand (a crossed top, a negative level total, filled + remaining off, a negative remaining
// quantity, a zero-quantity trade, a failed structural assert) makes the next command that meets
// it throw EngineInvariantError (any other error thrown part way through a command stops the
// engine too), and the engine then refuses every command, snapshot and hash until a restore
// replaces its state.
import { DomainInvariantError, EngineInvariantError } from '../assert';
import { OrderBook } from '../book/order-book';
import { OrderNode } from '../book/order-node';
import { PriceLevel } from '../book/price-level';
import { cancel, limit, UNIT } from '../testing/fixtures';
import { MatchingEngine } from './matching-engine';

function engineWith(...commands: Parameters<MatchingEngine['apply']>[0][]): MatchingEngine {
  const engine = new MatchingEngine({ markets: [UNIT] });
  for (const command of commands) engine.apply(command);
  engine.validateInternalState();
  return engine;
}

function bookOf(engine: MatchingEngine): OrderBook {
  return engine.book(UNIT.symbol) as OrderBook;
}

function nodeOf(engine: MatchingEngine, orderId: string): OrderNode {
  const node = bookOf(engine).orders.get(orderId);
  if (node === undefined) throw new Error(`no order ${orderId}`);
  return node;
}

/** What apply throws, for assertions on its class, code and message. */
function thrownBy(engine: MatchingEngine, command: Parameters<MatchingEngine['apply']>[0]): Error {
  try {
    engine.apply(command);
  } catch (error) {
    return error as Error;
  }
  throw new Error('apply did not throw');
}

function expectBroken(error: Error, problem: RegExp): void {
  expect(error).toBeInstanceOf(EngineInvariantError);
  expect(error.name).toBe('EngineInvariantError');
  expect((error as EngineInvariantError).code).toBe('ENGINE_INVARIANT_BROKEN');
  expect(error.message).toMatch(/^UNIT: command cmd-\d+ \(eventSeq \d+\) broke the book: /);
  expect(error.message).toMatch(problem);
}

describe('a fast book that breaks an invariant', () => {
  it('throws when the book is crossed after a command, even one that trades nothing', () => {
    const engine = engineWith(
      limit('b1', 'alice', 'BUY', 100, 5),
      limit('s1', 'bob', 'SELL', 110, 5),
    );
    // The ask level's price moves under the bid; its sort key stays, so the level is still best.
    (bookOf(engine).asks.best() as PriceLevel).priceTicks = 90;
    expectBroken(
      thrownBy(engine, limit('b2', 'carol', 'BUY', 50, 1)),
      /book is crossed: best bid 100, best ask 90$/,
    );
  });

  it('throws when a trade leaves a level total negative', () => {
    const engine = engineWith(
      limit('s1', 'bob', 'SELL', 100, 5),
      limit('s2', 'carol', 'SELL', 100, 5),
    );
    (bookOf(engine).asks.best() as PriceLevel).totalLots = 3;
    expectBroken(
      thrownBy(engine, limit('b1', 'alice', 'BUY', 100, 5)),
      /SELL level 100 has total -2$/,
    );
  });

  it('throws when a touched order has filled + remaining other than its original quantity', () => {
    const engine = engineWith(limit('s1', 'bob', 'SELL', 100, 5));
    nodeOf(engine, 's1').filledLots = 1;
    expectBroken(
      thrownBy(engine, cancel('s1', 'bob')),
      /order s1: filled 1 \+ remaining 5 is not original 5$/,
    );
  });

  it('throws when a touched order has a negative remaining quantity', () => {
    const engine = engineWith(
      limit('s1', 'bob', 'SELL', 100, 5),
      limit('s2', 'carol', 'SELL', 100, 5),
    );
    // Consistent otherwise (filled + remaining = original, the level's total matches), so only
    // the sign is wrong.
    const node = nodeOf(engine, 's1');
    node.remainingLots = -1;
    node.originalLots = -1;
    (node.level as PriceLevel).totalLots = 4;
    expectBroken(thrownBy(engine, cancel('s1', 'bob')), /order s1 has remaining quantity -1$/);
  });

  it('throws when a command makes a trade of zero quantity', () => {
    const engine = engineWith(
      limit('s1', 'bob', 'SELL', 100, 5),
      limit('s2', 'carol', 'SELL', 100, 5),
    );
    // s1 still heads the level but has nothing left, and the level's total says so.
    const node = nodeOf(engine, 's1');
    node.remainingLots = 0;
    node.originalLots = 0;
    (node.level as PriceLevel).totalLots = 5;
    expectBroken(
      thrownBy(engine, limit('b1', 'alice', 'BUY', 100, 5)),
      /trade \d+ \(maker s1\) has quantity 0$/,
    );
  });

  it('stops the engine on any other error thrown part way through a command', () => {
    const engine = engineWith(limit('s1', 'bob', 'SELL', 100, 5));
    // The level's total overstates its one order: when it fills, the emptied level still
    // holds lots and BookSide.remove's structural assert fails mid-command.
    (bookOf(engine).asks.best() as PriceLevel).totalLots = 7;
    const error = thrownBy(engine, limit('b1', 'alice', 'BUY', 100, 5));
    expect(error).toBeInstanceOf(DomainInvariantError);
    expect(error.message).toBe('remove: level is not empty');
    const later = thrownBy(engine, limit('b2', 'carol', 'BUY', 90, 1));
    expect(later).toBeInstanceOf(EngineInvariantError);
    expect((later as EngineInvariantError).code).toBe('ENGINE_INVARIANT_BROKEN');
  });

  it('refuses every later command, snapshot and hash until a restore replaces its state', () => {
    const engine = engineWith(limit('b1', 'alice', 'BUY', 100, 5));
    const good = engine.snapshot();
    nodeOf(engine, 'b1').filledLots = 2;
    const first = thrownBy(engine, cancel('b1', 'alice'));
    expect(first).toBeInstanceOf(EngineInvariantError);

    // A command on a healthy order, one that was never seen, a snapshot, a hash: all refused, so
    // nothing computed on the broken state can be published or handed over.
    const later = thrownBy(engine, limit('b2', 'carol', 'BUY', 90, 1));
    expect(later).toBeInstanceOf(EngineInvariantError);
    expect((later as EngineInvariantError).code).toBe('ENGINE_INVARIANT_BROKEN');
    expect(later.message).toMatch(/takes no more work until a restore succeeds$/);
    expect(() => engine.snapshot()).toThrow(EngineInvariantError);
    expect(() => engine.stateHash()).toThrow(EngineInvariantError);
    expect(() => engine.stateHash(UNIT.symbol)).toThrow(EngineInvariantError);

    engine.restore(good);
    engine.validateInternalState();
    expect(engine.apply(cancel('b1', 'alice')).status).toBe('CANCELLED');
    expect(engine.snapshot().books[0].bids).toEqual([]);
  });

  it('stays stopped when a restore fails part way', () => {
    const engine = engineWith(limit('b1', 'alice', 'BUY', 100, 5));
    const good = engine.snapshot();
    expect(() => engine.restore({ ...good, recentCommandIds: ['x', 'x'] })).toThrow(
      DomainInvariantError,
    );
    expect(thrownBy(engine, limit('b2', 'carol', 'BUY', 90, 1))).toBeInstanceOf(
      EngineInvariantError,
    );
    engine.restore(good);
    expect(engine.apply(limit('b2', 'carol', 'BUY', 90, 1)).status).toBe('ACCEPTED');
  });
});
