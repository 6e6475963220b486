// Proves uuidv7 makes RFC 9562 version 7 ids: the time in the first 48 bits, version and variant
// bits set, and distinct random bits across more ids than one draw of the random pool holds.
import { uuidv7 } from './order-ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('puts the time first, sets version 7 and the RFC variant', () => {
    const nowMs = Date.UTC(2026, 10, 24, 12, 0, 0, 123);
    const id = uuidv7(nowMs);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(nowMs);
    expect(uuidv7(0).startsWith('00000000-0000-7')).toBe(true);
    expect(uuidv7(2 ** 48 - 1).startsWith('ffffffff-ffff-7')).toBe(true);
  });

  it('never repeats, across several refills of the random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    // Every random hex digit takes more than one value (a stuck pool would not).
    for (const position of [15, 16, 17, 20, 21, 35]) {
      expect(new Set(ids.map((id) => id[position])).size).toBeGreaterThan(1);
    }
  });

  it('sorts ids of later milliseconds after earlier ones', () => {
    expect(uuidv7(1_700_000_000_001) > uuidv7(1_700_000_000_000)).toBe(true);
  });

  it.each([-1, 2 ** 48, 1.5, Number.NaN])('refuses the time %p', (nowMs) => {
    expect(() => uuidv7(nowMs)).toThrow('48-bit');
  });
});
