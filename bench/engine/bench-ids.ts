// Ids of the benchmark's commands. By default short ones ("o123"); with BENCH_IDS=uuid the shape
// the services produce: UUIDv7 text, 36 characters (apps/order-service/src/orders/order-ids.ts),
// with a place command's commandId equal to its orderId, as TX1 writes it. Either way the stream
// is the same: the ids are derived from the command's position, not drawn from the generator.

export type IdFormat = 'short' | 'uuid';

export const ID_FORMAT: IdFormat = process.env.BENCH_IDS === 'uuid' ? 'uuid' : 'short';

/** What an id names; a different kind never gives the same id for the same number. */
export const IdKind = { Order: 1, MarketOrder: 2, Command: 3, User: 4 } as const;
export type IdKind = (typeof IdKind)[keyof typeof IdKind];

const SHORT_PREFIX: Record<IdKind, string> = { 1: 'o', 2: 'm', 3: 's', 4: 'u' };

/** The id of the n-th thing of a kind. */
export function benchId(kind: IdKind, n: number, format: IdFormat = ID_FORMAT): string {
  return format === 'uuid' ? uuidLike(kind, n) : `${SHORT_PREFIX[kind]}${n}`;
}

/** 32 bits from (kind, n, salt), murmur3's finalizer. */
function bits(kind: number, n: number, salt: number): number {
  let h = Math.imul(n ^ (kind << 28) ^ salt, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const hex = (value: number, digits: number): string =>
  value.toString(16).padStart(digits, '0').slice(-digits);

/**
 * A UUIDv7-shaped id: 48 bits of "milliseconds" (a fixed epoch in 2024 plus n), version 7, the
 * kind in the first variant nibble's free bits and 62 more bits derived from (kind, n). Unique
 * per (kind, n) for n < 2^32.
 */
function uuidLike(kind: number, n: number): string {
  const time = hex(0x0190_0000_0000 + n, 12);
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(bits(kind, n, 1), 3)}-` +
    `${hex(0x8 | (kind & 0x3), 1)}${hex(bits(kind, n, 2), 3)}-` +
    `${hex(bits(kind, n, 3), 8)}${hex(bits(kind, n, 4), 4)}`
  );
}
