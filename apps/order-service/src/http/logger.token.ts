/** Injection token of order-service's pino logger (the one `runService` made). */
export const ORDER_SERVICE_LOGGER = Symbol('ORDER_SERVICE_LOGGER');
