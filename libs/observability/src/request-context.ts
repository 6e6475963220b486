import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The header that carries a request id between clients, services and Kafka messages. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest request id accepted from outside; longer ones are replaced, not truncated. */
export const REQUEST_ID_LENGTH_MAX = 128;

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;

interface RequestContext {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The request id of the work in progress, if any: an HTTP request or a consumed message. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` with `requestId` as the current request id for everything it starts. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** Keeps a well-formed id given by a caller, or makes a new one. */
export function acceptRequestId(given: unknown): string {
  if (
    typeof given === 'string' &&
    given.length > 0 &&
    given.length <= REQUEST_ID_LENGTH_MAX &&
    REQUEST_ID_PATTERN.test(given)
  ) {
    return given;
  }
  return randomUUID();
}
