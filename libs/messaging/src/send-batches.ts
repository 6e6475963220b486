// Cutting one Kafka transaction's records into sends the broker accepts. The broker refuses a
// record batch above its max.message.bytes, and kafkajs puts each partition's records of one
// send into one batch, so a large transaction goes out as several sends inside it.
import type { Message, TopicMessages } from 'kafkajs';

/** Varints, attributes and deltas of a record (at most about 20 bytes), rounded up. */
const RECORD_FRAMING_BYTES = 24;

/** Bytes a message adds to a record batch, near enough: its key, value and headers plus framing. */
export function approximateRecordBytes(message: Message): number {
  let bytes = RECORD_FRAMING_BYTES + byteLength(message.key) + byteLength(message.value);
  const headers = message.headers;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name];
      bytes += RECORD_FRAMING_BYTES / 4 + Buffer.byteLength(name);
      if (Array.isArray(value)) for (const each of value) bytes += byteLength(each);
      else bytes += byteLength(value as string | Buffer | undefined);
    }
  }
  return bytes;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Cuts a transaction's records into consecutive sends of at most `maxBytes` and `maxMessages`
 * per topic (hence per partition), so that no partition's record batch exceeds the broker's
 * message size limit however many records the transaction carries. Sent one after another in
 * the same transaction, they keep each partition's order and still commit (or abort) as one.
 */
export function splitIntoSends(
  records: readonly TopicMessages[],
  maxBytes: number,
  maxMessages = Number.POSITIVE_INFINITY,
): TopicMessages[][] {
  const sends: TopicMessages[][] = [];
  for (const { topic, messages } of records) {
    let slice: Message[] = [];
    let bytes = 0;
    let index = 0;
    const flush = () => {
      if (slice.length === 0) return;
      (sends[index] ??= []).push({ topic, messages: slice });
      index += 1;
      slice = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = approximateRecordBytes(message);
      if (slice.length > 0 && (bytes + size > maxBytes || slice.length >= maxMessages)) flush();
      slice.push(message);
      bytes += size;
    }
    flush();
  }
  return sends;
}
