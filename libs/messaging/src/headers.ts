import type { IHeaders } from 'kafkajs';
import { MESSAGE_HEADERS, SCHEMA_VERSION } from './topics';

/** The headers every record carries: schema version, and the ids that are known. */
export function messageHeaders(ids: { requestId?: string; commandId?: string } = {}): IHeaders {
  const headers: IHeaders = { [MESSAGE_HEADERS.schemaVersion]: String(SCHEMA_VERSION) };
  if (ids.requestId !== undefined) headers[MESSAGE_HEADERS.requestId] = ids.requestId;
  if (ids.commandId !== undefined) headers[MESSAGE_HEADERS.commandId] = ids.commandId;
  return headers;
}

/**
 * One header of a consumed record as a string. kafkajs hands headers over as Buffers (or arrays
 * of them when a name repeats); the first value wins.
 */
export function readHeader(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? undefined : first.toString();
}
