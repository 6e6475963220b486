// Proves the checkpoint header's codec: counters and the optional state hash survive the trip,
// and a malformed checkpoint is refused rather than restored from.
import {
  decodeCheckpoint,
  encodeCheckpoint,
  type PartitionCheckpoint,
} from './engine-results-headers';

const counters = {
  status: 'TRADING',
  eventSeq: 7,
  tradeSeq: 3,
  lastTradePriceTicks: 100,
  nextPrioritySeq: 5,
} as const;

describe('engine checkpoint header', () => {
  it('round-trips counters with and without a state hash', () => {
    const checkpoint: PartitionCheckpoint = {
      'BTC-USDT': { ...counters, stateHash: 'abc' },
      'ETH-USDT': { ...counters, stateHash: undefined },
    };
    expect(decodeCheckpoint(encodeCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it('refuses negative or fractional counters, an unknown status and a non-string hash', () => {
    const bad = [
      { ...counters, eventSeq: -1 },
      { ...counters, tradeSeq: 1.5 },
      { ...counters, status: 'OPEN' },
      { ...counters, stateHash: 42 },
    ];
    for (const each of bad)
      expect(() => decodeCheckpoint(JSON.stringify({ 'BTC-USDT': each }))).toThrow(
        'malformed engine checkpoint for BTC-USDT',
      );
  });
});
