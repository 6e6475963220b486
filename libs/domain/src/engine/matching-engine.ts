// The matching engine: many markets, one book each, one synchronous apply(command) that returns
// exactly one result. No clock, no randomness, no I/O: the same command stream always gives the
// same results and the same state hash.
import { assert, EngineInvariantError } from '../assert';
import { COMMAND_DEDUPE_WINDOW_MAX, MARKETS_PER_ENGINE_MAX } from '../constants';
import { EngineErrorCode } from '../error-codes';
import { OrderBook } from '../book/order-book';
import { createMarket, Market, MarketSpec } from '../money/market';
import { EngineCommand } from './commands';
import { BookCheckpoint, BookFactory, BookSnapshot, MatchingBook } from './matching-book';
import { OpenOrderRow, snapshotFromOpenOrders } from './open-orders';
import { CommandIdWindow } from './command-window';
import { bareResult, rejectedResult } from './result-factory';
import { EngineResult } from './results';
import { Fnv1a64, hashBookSnapshot } from './state-hash';
import { validateCommand, validateCommandBase } from './validate-command';

export interface MatchingEngineOptions {
  /** Markets to hold; specs are validated with createMarket (which throws on a bad spec). */
  markets: readonly (Market | MarketSpec)[];
  /** Book implementation; the fast OrderBook by default. Tests pass the ReferenceBook. */
  bookFactory?: BookFactory;
  /** How many recent commandIds to remember; COMMAND_DEDUPE_WINDOW_MAX by default. */
  dedupeWindow?: number;
}

/** Everything the engine holds: every book, and the dedupe window oldest first. */
export interface EngineSnapshot {
  books: BookSnapshot[];
  recentCommandIds: string[];
}

const fastBook: BookFactory = (market, snapshot) => new OrderBook(market, snapshot);

export class MatchingEngine {
  private readonly books = new Map<string, MatchingBook>();
  private readonly markets = new Map<string, Market>();
  private readonly bookFactory: BookFactory;
  private readonly dedupeWindow: number;
  private recentIds: CommandIdWindow;
  // Consecutive commands mostly name the same market: remember the last lookup.
  private lastSymbol: string | undefined = undefined;
  private lastBook: MatchingBook | undefined = undefined;
  /**
   * True while a command or a restore is changing the state, and for good if one threw part way:
   * the state may then be half changed, and the engine refuses work until a restore succeeds.
   * A flag set before and cleared after, rather than a try/catch around every command, which
   * measured a few per cent slower (docs/performance.md, "Eighth pass").
   */
  private changing = false;

  constructor(options: MatchingEngineOptions) {
    this.bookFactory = options.bookFactory ?? fastBook;
    this.dedupeWindow = options.dedupeWindow ?? COMMAND_DEDUPE_WINDOW_MAX;
    assert(
      Number.isSafeInteger(this.dedupeWindow) &&
        this.dedupeWindow > 0 &&
        this.dedupeWindow <= COMMAND_DEDUPE_WINDOW_MAX,
      'dedupeWindow must be in [1, COMMAND_DEDUPE_WINDOW_MAX]',
    );
    this.recentIds = new CommandIdWindow(this.dedupeWindow);
    assert(options.markets.length <= MARKETS_PER_ENGINE_MAX, 'too many markets for one engine');
    for (const spec of options.markets) {
      const market = 'quoteMinorPerTickLot' in spec ? spec : createMarket(spec);
      assert(!this.markets.has(market.symbol), `market ${market.symbol} listed twice`);
      this.markets.set(market.symbol, market);
      this.books.set(market.symbol, this.bookFactory(market));
    }
  }

  /**
   * Applies one command and returns its one result. Never throws for a business reason. Throws
   * EngineInvariantError when the command broke one of the book's per-command invariants (any
   * other error thrown while applying it is a bug too, and is thrown as it is); from then on the
   * state may be wrong, and every later apply, snapshot and stateHash throws EngineInvariantError,
   * until a restore replaces the state.
   */
  apply(command: EngineCommand): EngineResult {
    if (this.changing) this.refuse();
    this.changing = true;
    const result = this.applyOne(command);
    this.changing = false;
    return result;
  }

  private applyOne(command: EngineCommand): EngineResult {
    const symbol = typeof command === 'object' && command !== null ? command.symbol : undefined;
    let book: MatchingBook | undefined;
    if (symbol === this.lastSymbol) {
      book = this.lastBook;
    } else {
      book = typeof symbol === 'string' ? this.books.get(symbol) : undefined;
      this.lastSymbol = symbol;
      this.lastBook = book;
    }
    const baseCode = validateCommandBase(command);
    if (baseCode !== undefined) {
      const safe =
        typeof command === 'object' && command !== null ? command : ({} as EngineCommand);
      return book !== undefined
        ? book.reject(safe, baseCode)
        : rejectedResult(undefined, safe, 0, baseCode);
    }
    if (!this.recentIds.add(command.commandId)) {
      return bareResult(command, 0, 'DUPLICATE', undefined, undefined);
    }
    if (book === undefined) {
      return rejectedResult(undefined, command, 0, EngineErrorCode.UNKNOWN_MARKET);
    }
    const code = validateCommand(book.market, command);
    if (code !== undefined) return book.reject(command, code);
    switch (command.type) {
      case 'place':
        return book.place(command);
      case 'cancel':
        return book.cancel(command);
      case 'cancelAll':
        return book.cancelAll(command);
      case 'amend':
        return book.amend(command);
      case 'setMarketStatus':
        return book.setStatus(command);
    }
  }

  market(symbol: string): Market | undefined {
    return this.markets.get(symbol);
  }

  symbols(): string[] {
    return [...this.markets.keys()].sort();
  }

  /** The book of a market, for inspection; commands go through apply. */
  book(symbol: string): MatchingBook | undefined {
    return this.books.get(symbol);
  }

  /** Every book's resting and pending orders in priority order, plus the dedupe window. */
  snapshot(): EngineSnapshot {
    if (this.changing) this.refuse();
    const recentCommandIds = this.recentIds.toArray();
    return {
      books: this.symbols().map((symbol) => this.bookOf(symbol).snapshot()),
      recentCommandIds,
    };
  }

  /**
   * Replaces all state with a snapshot's. Markets not in the snapshot start empty. An engine
   * stopped by a broken invariant takes commands again once a restore has succeeded.
   */
  restore(snapshot: EngineSnapshot): void {
    // Until it has succeeded the state is partly replaced: refuse work meanwhile.
    this.changing = true;
    for (const market of this.markets.values()) {
      const bookSnapshot = snapshot.books.find((book) => book.symbol === market.symbol);
      this.books.set(market.symbol, this.bookFactory(market, bookSnapshot));
    }
    this.lastSymbol = undefined;
    this.lastBook = undefined;
    for (const book of snapshot.books)
      assert(this.markets.has(book.symbol), `snapshot has unknown market ${book.symbol}`);
    this.recentIds = new CommandIdWindow(this.dedupeWindow);
    for (const id of snapshot.recentCommandIds) {
      assert(this.recentIds.add(id), `restore: commandId ${id} repeated in the dedupe window`);
    }
    this.changing = false;
  }

  /**
   * Rebuilds every book from open orders as the database holds them, with each market's
   * checkpoint (a market without one starts from zero). recentCommandIds seeds the dedupe window.
   */
  restoreFromOpenOrders(
    rows: readonly OpenOrderRow[],
    checkpoints: Readonly<Record<string, BookCheckpoint>>,
    recentCommandIds: readonly string[] = [],
  ): void {
    const bySymbol = new Map<string, OpenOrderRow[]>();
    for (const row of rows) {
      assert(
        this.markets.has(row.symbol),
        `open order ${row.orderId} has unknown market ${row.symbol}`,
      );
      const list = bySymbol.get(row.symbol) ?? [];
      list.push(row);
      bySymbol.set(row.symbol, list);
    }
    const books: BookSnapshot[] = [];
    for (const market of this.markets.values()) {
      const checkpoint = checkpoints[market.symbol] ?? {
        status: market.status,
        eventSeq: 0,
        tradeSeq: 0,
        lastTradePriceTicks: 0,
        nextPrioritySeq: 1,
      };
      const marketRows = (bySymbol.get(market.symbol) ?? []).map(
        ({ symbol: _symbol, ...order }) => order,
      );
      books.push(snapshotFromOpenOrders(market.symbol, marketRows, checkpoint));
    }
    this.restore({ books, recentCommandIds: [...recentCommandIds] });
  }

  /** Hash of one market's book, or of every book in symbol order when no symbol is given. */
  stateHash(symbol?: string): string {
    if (this.changing) this.refuse();
    if (symbol !== undefined) return hashBookSnapshot(this.bookOf(symbol).snapshot()).digest();
    const hash = new Fnv1a64();
    for (const each of this.symbols()) hashBookSnapshot(this.bookOf(each).snapshot(), hash);
    return hash.digest();
  }

  /** Checks every book's invariants; throws DomainInvariantError on the first broken one. */
  validateInternalState(): void {
    for (const book of this.books.values()) book.validateInternalState();
    this.recentIds.validate();
  }

  private refuse(): never {
    throw new EngineInvariantError(
      'the engine stopped: a command or restore threw part way, so its state may be half changed; it takes no more work until a restore succeeds',
    );
  }

  private bookOf(symbol: string): MatchingBook {
    const book = this.books.get(symbol);
    assert(book !== undefined, `unknown market ${symbol}`);
    return book;
  }
}
