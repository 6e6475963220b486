/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';
/** The unique constraint on (user_id, client_order_id) of the orders table. */
const CLIENT_ORDER_ID_CONSTRAINT = 'orders_user_client_order_id_key';

/**
 * Whether `error` is the insert of a client order id that another transaction committed after
 * this request looked the id up: the caller rolls back (nothing of its own was written) and
 * answers with the order that now exists.
 */
export function isClientOrderIdConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const driverError = (error as { driverError?: unknown }).driverError ?? error;
  const { code, constraint } = driverError as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION && constraint === CLIENT_ORDER_ID_CONSTRAINT;
}
