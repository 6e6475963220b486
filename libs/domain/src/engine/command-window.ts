// The engine's dedupe window: the last N commandIds in a ring, indexed by an open-addressing hash
// table over typed arrays (linear probing, backward-shift deletion). Checked on every command, it
// never allocates and never rehashes, unlike a Set that is added to and deleted from forever.
// The table interleaves each slot's hash with its ring index, so a probe and the backward shift
// read one cache line per slot; the ring's id is read only on a hash match.
import { assert } from '../assert';

/** FNV-1a over UTF-16 code units, 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash | 0;
}

export class CommandIdWindow {
  private readonly ids: string[];
  /** Hash of each ring entry: where eviction starts probing for the oldest id's slot. */
  private readonly hashes: Int32Array;
  /** Slot i is [2i] = hash, [2i + 1] = ring index + 1 (0 for an empty slot). */
  private readonly table: Int32Array;
  private readonly mask: number;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    assert(
      Number.isSafeInteger(capacity) && capacity > 0,
      'CommandIdWindow: capacity must be positive',
    );
    let slotCount = 2;
    while (slotCount < capacity * 2) slotCount *= 2;
    this.ids = new Array<string>(capacity).fill('');
    this.hashes = new Int32Array(capacity);
    this.table = new Int32Array(slotCount * 2);
    this.mask = slotCount - 1;
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.find(id, hashString(id)) >= 0;
  }

  /** Adds `id`, evicting the oldest when full. Returns false, changing nothing, if it is present. */
  add(id: string): boolean {
    const hash = hashString(id);
    if (this.find(id, hash) >= 0) return false;
    const ringIndex = this.next;
    if (this.count === this.capacity) this.removeSlotOf(ringIndex);
    else this.count += 1;
    this.ids[ringIndex] = id;
    this.hashes[ringIndex] = hash;
    const table = this.table;
    const mask = this.mask;
    let slot = hash & mask;
    while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    table[2 * slot] = hash;
    table[2 * slot + 1] = ringIndex + 1;
    this.next = ringIndex + 1 === this.capacity ? 0 : ringIndex + 1;
    return true;
  }

  /** The ids in the window, oldest first. */
  toArray(): string[] {
    if (this.count < this.capacity) return this.ids.slice(0, this.count);
    return [...this.ids.slice(this.next), ...this.ids.slice(0, this.next)];
  }

  /** Checks that every id is findable and the table holds exactly the ring's ids, hashes included. */
  validate(): void {
    let occupied = 0;
    for (let slot = 0; slot <= this.mask; slot++) {
      const entry = this.table[2 * slot + 1];
      if (entry === 0) continue;
      occupied += 1;
      assert(
        this.table[2 * slot] === hashString(this.ids[entry - 1]) &&
          this.hashes[entry - 1] === this.table[2 * slot],
        'CommandIdWindow: a slot holds a stale hash',
      );
    }
    assert(occupied === this.count, 'CommandIdWindow: table and ring disagree');
    for (const id of this.toArray()) assert(this.has(id), `CommandIdWindow: ${id} is not findable`);
  }

  /** Slot of `id`, or -1. */
  private find(id: string, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[2 * slot + 1];
      if (entry === 0) return -1;
      if (table[2 * slot] === hash && this.ids[entry - 1] === id) return slot;
    }
  }

  private removeSlotOf(ringIndex: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = this.hashes[ringIndex] & mask;
    while (table[2 * hole + 1] !== ringIndex + 1) hole = (hole + 1) & mask;
    // Backward-shift: pull later entries of the probe run into the hole when their home allows.
    for (let slot = (hole + 1) & mask; table[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      const hash = table[2 * slot];
      const home = hash & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        table[2 * hole] = hash;
        table[2 * hole + 1] = table[2 * slot + 1];
        hole = slot;
      }
    }
    table[2 * hole + 1] = 0;
  }
}
