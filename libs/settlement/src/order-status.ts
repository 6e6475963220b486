import type { OrderStatus } from '@app/domain';

/** The `orders.status` values settlement writes. */
export type DbOrderStatus =
  'PENDING_TRIGGER' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED' | 'REJECTED';

/**
 * The row status of a domain status. The engine's NEW means "resting, nothing filled"; in the
 * database NEW means "written by TX1, not yet matched", so a resting order becomes OPEN.
 */
export function dbOrderStatus(status: OrderStatus): DbOrderStatus {
  return status === 'NEW' ? 'OPEN' : status;
}
