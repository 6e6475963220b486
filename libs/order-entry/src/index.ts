// Public surface of @app/order-entry: TX1 of the order path. The pure preparation of a request
// into an engine command and its lock (prepare-order), and the SQL that locks the funds, inserts
// the orders and queues their commands in the outbox inside the caller's transaction
// (insert-orders). Framework-free: order-service's handlers are its Nest side.
export * from './prepare-order';
export * from './order-row';
export * from './insert-orders';
