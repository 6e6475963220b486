// Proves the takeover's warm-or-cold decision on plain inputs: no warm book restores cold with
// nothing to report; a warm book is used only with exactly the shard's markets and each market's
// counters and recorded hash equal to the log's last checkpoint; a market the log never
// checkpointed must be untouched (eventSeq 0); every difference is listed.
import { createMarket, marketSpecOf, type BookCheckpoint, type Market } from '@app/domain';
import { UNIT } from '@app/domain/testing/fixtures';
import type { PartitionCheckpoint, SymbolCheckpoint } from '@app/messaging';
import { decideRestore, sameMarkets, type WarmBookState } from './restore-decision';

const OTHER = createMarket({ ...marketSpecOf(UNIT), symbol: 'OTHER' });

const counters = (eventSeq: number, extra: Partial<BookCheckpoint> = {}): BookCheckpoint => ({
  status: 'TRADING',
  eventSeq,
  tradeSeq: 2,
  lastTradePriceTicks: 100,
  nextPrioritySeq: eventSeq + 1,
  ...extra,
});

function warmBook(
  books: Record<string, { counters: BookCheckpoint; hash: string }>,
  markets: readonly Market[] = [UNIT, OTHER],
): WarmBookState {
  return {
    markets,
    counters: new Map(Object.entries(books).map(([s, b]) => [s, b.counters])),
    stateHashes: new Map(Object.entries(books).map(([s, b]) => [s, b.hash])),
  };
}

const checkpoint = (symbol: string, value: SymbolCheckpoint): PartitionCheckpoint => ({
  [symbol]: value,
});

/** The log's checkpoints, one results partition per market, as the tail read returns them. */
const logOf = (unit: SymbolCheckpoint, other: SymbolCheckpoint) => [
  checkpoint(UNIT.symbol, unit),
  checkpoint(OTHER.symbol, other),
];

const matching = () =>
  warmBook({
    UNIT: { counters: counters(10), hash: 'h-unit' },
    OTHER: { counters: counters(4), hash: 'h-other' },
  });

describe('decideRestore', () => {
  it('restores cold, reporting nothing, when there is no warm book', () => {
    expect(decideRestore(undefined, logOf(counters(10), counters(4)), [UNIT, OTHER])).toEqual({
      use: 'cold',
      mismatches: [],
    });
  });

  it('uses a warm book whose counters and hashes equal the last checkpoints', () => {
    const log = logOf(
      { ...counters(10), stateHash: 'h-unit' },
      { ...counters(4), stateHash: 'h-other' },
    );
    expect(decideRestore(matching(), log, [OTHER, UNIT])).toEqual({ use: 'warm' });
  });

  it('compares counters only where the checkpoint carries no hash (hashing off)', () => {
    expect(decideRestore(matching(), logOf(counters(10), counters(4)), [UNIT, OTHER])).toEqual({
      use: 'warm',
    });
  });

  it('restores cold when the market set differs', () => {
    const log = logOf(counters(10), counters(4));
    expect(decideRestore(matching(), log, [UNIT])).toEqual({
      use: 'cold',
      mismatches: [{ symbol: '*', field: 'markets', expected: 1, warm: 2 }],
    });
    // Same symbols, other settings: a market whose fee changed is another market.
    const dearer = createMarket({ ...marketSpecOf(UNIT), takerFeePpm: UNIT.takerFeePpm + 1 });
    expect(decideRestore(matching(), log, [dearer, OTHER])).toMatchObject({ use: 'cold' });
  });

  it('restores cold, naming the field, when a counter differs', () => {
    const log = logOf(
      { ...counters(10), tradeSeq: 3, stateHash: 'h-unit' },
      { ...counters(4), stateHash: 'h-other' },
    );
    expect(decideRestore(matching(), log, [UNIT, OTHER])).toEqual({
      use: 'cold',
      mismatches: [{ symbol: 'UNIT', field: 'tradeSeq', expected: 3, warm: 2 }],
    });
  });

  it('restores cold when a state hash differs, even with equal counters', () => {
    const log = logOf(
      { ...counters(10), stateHash: 'h-unit' },
      { ...counters(4), stateHash: 'h-x' },
    );
    expect(decideRestore(matching(), log, [UNIT, OTHER])).toEqual({
      use: 'cold',
      mismatches: [{ symbol: 'OTHER', field: 'stateHash', expected: 'h-x', warm: 'h-other' }],
    });
  });

  it('accepts a market with no checkpoint only while its book is untouched (eventSeq 0)', () => {
    const log = [checkpoint(UNIT.symbol, counters(10)), undefined];
    const untouched = warmBook({
      UNIT: { counters: counters(10), hash: 'h-unit' },
      OTHER: { counters: counters(0), hash: 'h-empty' },
    });
    expect(decideRestore(untouched, log, [UNIT, OTHER])).toEqual({ use: 'warm' });
    expect(decideRestore(matching(), log, [UNIT, OTHER])).toEqual({
      use: 'cold',
      mismatches: [{ symbol: 'OTHER', field: 'eventSeq', expected: 0, warm: 4 }],
    });
  });

  it('lists every difference, and takes the first partition that checkpointed a market', () => {
    const log = [
      undefined,
      checkpoint(UNIT.symbol, { ...counters(11), status: 'HALTED', stateHash: 'h-new' }),
      checkpoint(UNIT.symbol, { ...counters(10), stateHash: 'h-unit' }),
    ];
    const warm = warmBook({ UNIT: { counters: counters(10), hash: 'h-unit' } }, [UNIT]);
    expect(decideRestore(warm, log, [UNIT])).toEqual({
      use: 'cold',
      mismatches: [
        { symbol: 'UNIT', field: 'status', expected: 'HALTED', warm: 'TRADING' },
        { symbol: 'UNIT', field: 'eventSeq', expected: 11, warm: 10 },
        { symbol: 'UNIT', field: 'nextPrioritySeq', expected: 12, warm: 11 },
        { symbol: 'UNIT', field: 'stateHash', expected: 'h-new', warm: 'h-unit' },
      ],
    });
  });
});

describe('sameMarkets', () => {
  it('compares market sets with their settings, in any order', () => {
    expect(sameMarkets([UNIT, OTHER], [OTHER, UNIT])).toBe(true);
    const cheaper = createMarket({ ...marketSpecOf(UNIT), takerFeePpm: UNIT.takerFeePpm + 1 });
    expect(sameMarkets([cheaper], [UNIT])).toBe(false);
    expect(sameMarkets([], [UNIT])).toBe(false);
  });
});
