/** How TX1 writes what it queues; from the order-service settings. */
export interface OrderEntryOptions {
  /** One multi-message outbox row per batch rather than a row per order (OUTBOX_PACK_BATCHES). */
  readonly packBatches: boolean;
}

/** Injection token of the OrderEntryOptions. */
export const ORDER_ENTRY_OPTIONS = Symbol('ORDER_ENTRY_OPTIONS');
