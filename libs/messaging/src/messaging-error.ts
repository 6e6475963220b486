/** Codes of the infrastructure errors this library throws; compare codes, not classes. */
export type MessagingErrorCode =
  | 'INVALID_TOPIC_NAME'
  | 'INVALID_PARTITION_COUNT'
  | 'TOPIC_PARTITION_MISMATCH'
  | 'TOPICS_NOT_READY'
  | 'PRODUCER_FENCED'
  | 'TRANSACTION_ABORT_FAILED'
  | 'KAFKA_UNAVAILABLE';

/** A broken Kafka setup or a producer that must be discarded; never a business rejection. */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';

  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Kafka error types meaning "another producer with this transactional id took over": the broker
 * bumped the epoch. kafkajs 2.2.4 speaks old protocol versions, for which the broker reports
 * fencing as INVALID_PRODUCER_EPOCH; newer versions say PRODUCER_FENCED (code 90), which
 * kafkajs does not know and reports as "Unknown error code 90".
 */
const FENCING_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const UNKNOWN_PRODUCER_FENCED = /^Unknown error code 90$/;

/**
 * True if `err`, or an error it wraps (`cause`, kafkajs `originalError`, aggregate `errors`),
 * says this producer has been fenced. A fenced producer is dead: discard it and stop.
 */
export function isFencingError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 8) return false;
  const e = err as {
    code?: unknown;
    type?: unknown;
    message?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
  };
  if (e.code === 'PRODUCER_FENCED') return true;
  if (typeof e.type === 'string' && FENCING_TYPES.has(e.type)) return true;
  if (typeof e.message === 'string' && UNKNOWN_PRODUCER_FENCED.test(e.message)) return true;
  const nested = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((inner) => isFencingError(inner, depth + 1));
}
