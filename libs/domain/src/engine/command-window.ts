// The engine's dedupe window: the last N commandIds. Checked on every command, it never allocates
// and never rehashes, and it costs one cache line per command: after the engine service decodes a
// batch of commands the window's table is out of the CPU cache, so what it costs is how many
// lines a command makes the CPU fetch again (docs/performance.md, "Sixth pass").
//
// The ids sit in a ring in arrival order. The table indexing them is made of 64-byte buckets of
// sixteen 32-bit slots: fifteen entries and one overflow mark. An entry holds 16 bits of the id's
// hash (its tag) and the low 16 bits of its arrival number, so an entry expires by age alone when
// N later ids have arrived: evicting the oldest id touches nothing, where a table with deletion
// would fetch the line of an id that arrived N commands ago. Only a tag match reads the ring.
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
/** Slots 0-14 of a bucket are entries; slot 15 is the bucket's overflow mark. */
const ENTRIES_PER_BUCKET = 15;
const MARK = 15;
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
   * mod 2^16, is under the capacity. Mark: the arrival number of the last id that went past a
   * full bucket (bucket + 1 and further), live under the same rule: while it is, a lookup goes on
   * to the next bucket.
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
    const tag = hash >>> 16;
    const slots = this.slots;
    let bucket = hash & this.bucketMask;
    for (let hop = 0; hop <= this.bucketMask; hop++) {
      const base = bucket * SLOTS_PER_BUCKET;
      for (let slot = base; slot < base + ENTRIES_PER_BUCKET; slot++) {
        const entry = slots[slot];
        const age = (this.clock - (entry >>> 16)) & CLOCK_MASK;
        if (age < this.capacity && (entry & 0xffff) === tag && this.idAt(age) === id) return true;
      }
      if (!this.isLive(slots[base + MARK])) return false;
      bucket = (bucket + 1) & this.bucketMask;
    }
    return false;
  }

  /** Adds `id`, forgetting the oldest when full. Returns false, changing nothing, if it is present. */
  add(id: string): boolean {
    const hash = mix(hashString(id));
    const tag = hash >>> 16;
    const slots = this.slots;
    const capacity = this.capacity;
    const clock = this.clock;
    const home = hash & this.bucketMask;
    // One pass over the home bucket, and over the next ones while their marks are live, looks
    // for the id and for the first expired entry.
    let free = -1;
    let bucket = home;
    for (let hop = 0; hop <= this.bucketMask; hop++) {
      const base = bucket * SLOTS_PER_BUCKET;
      for (let slot = base; slot < base + ENTRIES_PER_BUCKET; slot++) {
        const entry = slots[slot];
        const age = (clock - (entry >>> 16)) & CLOCK_MASK;
        if (age >= capacity) {
          if (free < 0) free = slot;
        } else if ((entry & 0xffff) === tag && this.idAt(age) === id) {
          return false;
        }
      }
      if (!this.isLive(slots[base + MARK])) break;
      bucket = (bucket + 1) & this.bucketMask;
    }
    // Every bucket the chain passed was full; go on until one has room (one does: the table holds
    // twice the capacity).
    if (free < 0) {
      for (let base = bucket * SLOTS_PER_BUCKET; free < 0;) {
        for (let slot = base; slot < base + ENTRIES_PER_BUCKET; slot++) {
          if (((clock - (slots[slot] >>> 16)) & CLOCK_MASK) >= capacity) {
            free = slot;
            break;
          }
        }
        if (free < 0) base = ((base / SLOTS_PER_BUCKET + 1) & this.bucketMask) * SLOTS_PER_BUCKET;
      }
    }
    const now = (clock + 1) & CLOCK_MASK;
    this.clock = now;
    // The marks of every bucket between the id's home and where it went.
    const landed = (free / SLOTS_PER_BUCKET) | 0;
    for (let passed = home; passed !== landed; passed = (passed + 1) & this.bucketMask) {
      slots[passed * SLOTS_PER_BUCKET + MARK] = now << 16;
    }
    slots[free] = (now << 16) | tag;
    this.ids[this.next] = id;
    this.next = this.next + 1 === capacity ? 0 : this.next + 1;
    if (this.count < capacity) this.count += 1;
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
      if (slot % SLOTS_PER_BUCKET === MARK) continue;
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
      if (((this.clock - (slots[at] >>> 16)) & CLOCK_MASK) >= this.capacity) slots[at] = expired;
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
