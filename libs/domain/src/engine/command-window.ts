// The engine's dedupe window: the last N commandIds in a ring, indexed by an open-addressing hash
// table over typed arrays (linear probing, backward-shift deletion). Checked on every command, it
// never allocates and never rehashes, unlike a Set that is added to and deleted from forever.
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
  private readonly hashes: Int32Array;
  /** Ring index + 1 of the id stored in each slot; 0 for an empty slot. */
  private readonly slots: Int32Array;
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
    this.slots = new Int32Array(slotCount);
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
    const slots = this.slots;
    let slot = hash & this.mask;
    while (slots[slot] !== 0) slot = (slot + 1) & this.mask;
    slots[slot] = ringIndex + 1;
    this.next = ringIndex + 1 === this.capacity ? 0 : ringIndex + 1;
    return true;
  }

  /** The ids in the window, oldest first. */
  toArray(): string[] {
    if (this.count < this.capacity) return this.ids.slice(0, this.count);
    return [...this.ids.slice(this.next), ...this.ids.slice(0, this.next)];
  }

  /** Checks that every id is findable and the table holds exactly the ring's ids. */
  validate(): void {
    let occupied = 0;
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== 0) occupied += 1;
    assert(occupied === this.count, 'CommandIdWindow: table and ring disagree');
    for (const id of this.toArray()) assert(this.has(id), `CommandIdWindow: ${id} is not findable`);
  }

  /** Slot of `id`, or -1. */
  private find(id: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot];
      if (entry === 0) return -1;
      if (this.hashes[entry - 1] === hash && this.ids[entry - 1] === id) return slot;
    }
  }

  private removeSlotOf(ringIndex: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = this.hashes[ringIndex] & mask;
    while (slots[hole] !== ringIndex + 1) hole = (hole + 1) & mask;
    // Backward-shift: pull later entries of the probe run into the hole when their home allows.
    for (let slot = (hole + 1) & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      const home = this.hashes[slots[slot] - 1] & mask;
      if (((slot - home) & mask) >= ((slot - hole) & mask)) {
        slots[hole] = slots[slot];
        hole = slot;
      }
    }
    slots[hole] = 0;
  }
}
