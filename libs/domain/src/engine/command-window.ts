// The engine's dedupe window: the last N commandIds. Checked on every command, it never allocates
// and never rehashes, and it costs one cache line per command: a busy engine allocates (decoded
// commands, results) through more memory between two uses of a line than the CPU caches hold, so
// what the window costs is how many lines a command makes the CPU fetch again
// (docs/performance.md, "Sixth pass").
//
// The ids sit in a ring in arrival order. The table indexing them is made of 64-byte buckets of
// sixteen 32-bit slots: fifteen entries and one slot for the bucket's overflow mark and cursor.
// An entry holds 16 bits of the id's hash (its tag) and the low 16 bits of its arrival number, so
// an entry expires by age alone when N later ids have arrived: evicting the oldest id touches
// nothing, where a table with deletion would fetch the line of an id that arrived N commands ago.
// Each bucket is filled round-robin from its cursor, so the entry under the cursor is the
// bucket's oldest: if it has expired it is reused, else the whole bucket is live (judged before
// the insert's own eviction) and the id goes on to the next bucket. A lookup compares tags only; a tag match reads the ring.
import { assert } from '../assert';

/** FNV-1a over UTF-16 code units, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash | 0;
}

const SLOTS_PER_BUCKET = 16;
/** Slots 0-14 of a bucket are entries; slot 15 holds its overflow mark and its cursor. */
const ENTRIES_PER_BUCKET = 15;
const MARK = 15;
/** The cursor (the entry the bucket fills next, its oldest) is the low 4 bits of the mark slot. */
const CURSOR_MASK = 0xf;
/** Arrival numbers are kept modulo 2^16, so the window is at most 2^14 ids (see `sweep`). */
const CLOCK_MASK = 0xffff;
const CAPACITY_MAX = 1 << 14;
/** The age a sweep gives an expired slot: far from both the window and the wrap-around. */
const EXPIRED_AGE = 0x8000;
/** Ids per bucket on average at most; 15 fit, so a bucket rarely overflows. */
const IDS_PER_BUCKET = 8;
/** Most inserts between two sweeps of one slot, so no age wraps around (see `sweep`). */
const SWEEP_PERIOD_MAX = 1 << 14;

export class CommandIdWindow {
  /** Ring of the ids in arrival order; `next` is where the next one goes. */
  private readonly ids: string[];
  /**
   * Entry: (arrival number mod 2^16) << 16 | tag, live while its age, clock - arrival number
   * mod 2^16, is under the capacity. Mark slot: (arrival number of the last id that went past
   * the bucket, full at the time) << 16 | cursor. The mark is live under the same rule as an
   * entry; while it is, a lookup goes on to the next bucket.
   */
  private readonly slots: Int32Array;
  private readonly bucketMask: number;
  private readonly sweepStep: number;
  private next = 0;
  private count = 0;
  /** Arrival number of the newest id, mod 2^16. */
  private clock = 0;
  private sweepAt = 0;

  constructor(readonly capacity: number) {
    assert(
      Number.isSafeInteger(capacity) && capacity > 0 && capacity <= CAPACITY_MAX,
      `CommandIdWindow: capacity must be in [1, ${CAPACITY_MAX}]`,
    );
    let buckets = 1;
    while (buckets * IDS_PER_BUCKET < capacity) buckets *= 2;
    this.ids = new Array<string>(capacity).fill('');
    this.slots = new Int32Array(buckets * SLOTS_PER_BUCKET).fill(
      ((0 - EXPIRED_AGE) & CLOCK_MASK) << 16,
    );
    this.bucketMask = buckets - 1;
    this.sweepStep = Math.ceil(this.slots.length / SWEEP_PERIOD_MAX);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const hash = mix(hashString(id));
    return this.find(id, hash >>> 16, hash & this.bucketMask);
  }

  /** Adds `id`, forgetting the oldest when full. Returns false, changing nothing, if it is present. */
  add(id: string): boolean {
    const hash = mix(hashString(id));
    const tag = hash >>> 16;
    const home = hash & this.bucketMask;
    if (this.find(id, tag, home)) return false;
    const slots = this.slots;
    const clock = this.clock;
    const now = (clock + 1) & CLOCK_MASK;
    // The first bucket from home whose oldest entry has expired; the buckets passed get a mark.
    let bucket = home;
    for (;;) {
      const markSlot = bucket * SLOTS_PER_BUCKET + MARK;
      const mark = slots[markSlot];
      const cursor = mark & CURSOR_MASK;
      const slot = bucket * SLOTS_PER_BUCKET + cursor;
      if (((clock - (slots[slot] >>> 16)) & CLOCK_MASK) >= this.capacity) {
        slots[slot] = (now << 16) | tag;
        slots[markSlot] =
          (mark & ~CURSOR_MASK) | (cursor + 1 === ENTRIES_PER_BUCKET ? 0 : cursor + 1);
        break;
      }
      slots[markSlot] = (now << 16) | cursor;
      bucket = (bucket + 1) & this.bucketMask;
    }
    this.clock = now;
    this.ids[this.next] = id;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count += 1;
    this.sweep();
    return true;
  }

  /** The ids in the window, oldest first. */
  toArray(): string[] {
    if (this.count < this.capacity) return this.ids.slice(0, this.count);
    return [...this.ids.slice(this.next), ...this.ids.slice(0, this.next)];
  }

  /**
   * Checks that the table holds exactly one live entry per id in the ring, tagged with that id's
   * hash, and that every id is findable.
   */
  validate(): void {
    const ages = new Set<number>();
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (slot % SLOTS_PER_BUCKET === MARK) {
        assert(
          (this.slots[slot] & CURSOR_MASK) < ENTRIES_PER_BUCKET,
          'CommandIdWindow: a cursor is out of its bucket',
        );
        continue;
      }
      const entry = this.slots[slot];
      const age = (this.clock - (entry >>> 16)) & CLOCK_MASK;
      if (age >= this.capacity) continue;
      assert(age < this.count && !ages.has(age), 'CommandIdWindow: an entry outlives its id');
      ages.add(age);
      assert(
        (entry & 0xffff) === mix(hashString(this.idAt(age))) >>> 16,
        'CommandIdWindow: an entry holds a stale tag',
      );
    }
    assert(ages.size === this.count, 'CommandIdWindow: table and ring disagree');
    for (const id of this.toArray()) assert(this.has(id), `CommandIdWindow: ${id} is not findable`);
  }

  /**
   * True if `id` is in the window: its entry is in its home bucket or, while marks are live, in
   * the buckets after it. Tags are compared first, in a loop without calls; a tag match is
   * confirmed against the ring, which holds only ids in the window, so an entry with another id's
   * tag (or, were the sweep to miss it, a wrapped-around age) can never answer "present" wrongly.
   */
  private find(id: string, tag: number, home: number): boolean {
    const slots = this.slots;
    let bucket = home;
    for (let hop = 0; hop <= this.bucketMask; hop++) {
      const base = bucket * SLOTS_PER_BUCKET;
      for (let slot = base; slot < base + ENTRIES_PER_BUCKET; slot++) {
        if ((slots[slot] & 0xffff) === tag && this.holds(slots[slot], id)) return true;
      }
      if (!this.isLive(slots[base + MARK])) return false;
      bucket = (bucket + 1) & this.bucketMask;
    }
    return false;
  }

  /** True if `entry` is live and is `id`'s. */
  private holds(entry: number, id: string): boolean {
    const age = (this.clock - (entry >>> 16)) & CLOCK_MASK;
    return age < this.count && this.idAt(age) === id;
  }

  private isLive(stamp: number): boolean {
    return ((this.clock - (stamp >>> 16)) & CLOCK_MASK) < this.capacity;
  }

  /** The id that arrived `age` ids ago (0: the newest). */
  private idAt(age: number): string {
    const at = this.next - 1 - age;
    return this.ids[at < 0 ? at + this.capacity : at];
  }

  /**
   * Gives expired slots (entries and marks) the age EXPIRED_AGE again, a few slots per insert, so
   * that every slot is visited at least every SWEEP_PERIOD_MAX inserts. An age is computed mod
   * 2^16, so an expired slot left alone would look live again 2^16 inserts after its id arrived.
   * A live slot expires at age capacity <= 2^14 and is swept by age 2^15; a swept one is visited
   * again by age 2^15 + 2^14. Neither reaches 2^16.
   */
  private sweep(): void {
    const slots = this.slots;
    const expired = ((this.clock - EXPIRED_AGE) & CLOCK_MASK) << 16;
    let at = this.sweepAt;
    for (let n = 0; n < this.sweepStep; n++) {
      const value = slots[at];
      if (((this.clock - (value >>> 16)) & CLOCK_MASK) >= this.capacity) {
        // A mark slot keeps its cursor.
        slots[at] = at % SLOTS_PER_BUCKET === MARK ? expired | (value & CURSOR_MASK) : expired;
      }
      at = at + 1 === slots.length ? 0 : at + 1;
    }
    this.sweepAt = at;
  }
}

/** The hash the window files `id` under: its low bits pick the bucket, its high 16 the tag. */
export function windowHash(id: string): number {
  return mix(hashString(id));
}

/** Spreads hashString's bits (murmur3's finalizer, in part) before they pick a bucket and a tag. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
