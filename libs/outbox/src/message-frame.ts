import { OutboxError } from './outbox-error';

/** One message of a multi-message outbox row: what becomes one Kafka record. */
export interface FramedMessage {
  readonly key: string | null;
  /** The message's headers, as the JSON text of an object of strings. */
  readonly headersJson: string;
  readonly value: Buffer;
}

/** The decoded form of a `FramedMessage`, as the relay sends it. */
export interface DecodedMessage {
  readonly key: string | null;
  readonly headers: Record<string, string>;
  readonly value: Buffer;
}

/** Key length that stands for a null key (a key cannot be 4 GiB long). */
const NULL_KEY = 0xffffffff;

/** Bytes of the three length prefixes of a message in a frame. */
export const FRAME_MESSAGE_OVERHEAD_BYTES = 12;

/** The bytes `message` takes in a frame. */
export function framedBytes(keyBytes: number, headersBytes: number, valueBytes: number): number {
  return FRAME_MESSAGE_OVERHEAD_BYTES + keyBytes + headersBytes + valueBytes;
}

/**
 * The payload of a multi-message outbox row: for each message in order, a big-endian uint32
 * key length (0xffffffff for a null key) and the key in UTF-8, a uint32 length and the headers
 * as JSON in UTF-8, a uint32 length and the value bytes. Binary and length-prefixed, so that
 * neither side escapes anything and PostgreSQL stores it without looking inside.
 */
export function encodeFrame(messages: readonly FramedMessage[]): Buffer {
  let total = 0;
  const keyBytes: number[] = [];
  const headersBytes: number[] = [];
  for (const message of messages) {
    const k = message.key === null ? 0 : Buffer.byteLength(message.key, 'utf8');
    const h = Buffer.byteLength(message.headersJson, 'utf8');
    keyBytes.push(k);
    headersBytes.push(h);
    total += framedBytes(k, h, message.value.length);
  }
  const frame = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < messages.length; i += 1) {
    const { key, headersJson, value } = messages[i];
    frame.writeUInt32BE(key === null ? NULL_KEY : keyBytes[i], at);
    at += 4;
    if (key !== null) at += frame.write(key, at, 'utf8');
    frame.writeUInt32BE(headersBytes[i], at);
    at += 4;
    at += frame.write(headersJson, at, 'utf8');
    frame.writeUInt32BE(value.length, at);
    at += 4;
    at += value.copy(frame, at);
  }
  if (at !== total) throw new OutboxError('INVALID_MESSAGE', `frame of ${at} of ${total} bytes`);
  return frame;
}

/**
 * The `count` messages of a frame written by `encodeFrame`. Values are views into `frame`, not
 * copies. Throws `RELAY_STATE` on a frame that does not hold exactly `count` whole messages: a
 * row that cannot be read must stop the relay, never be skipped.
 */
export function decodeFrame(frame: Buffer, count: number, rowId: string): DecodedMessage[] {
  const broken = (why: string) =>
    new OutboxError('RELAY_STATE', `outbox row ${rowId}: broken frame (${why})`);
  const messages: DecodedMessage[] = [];
  let at = 0;
  const length = (): number => {
    if (at + 4 > frame.length) throw broken(`length prefix past the end at byte ${at}`);
    const value = frame.readUInt32BE(at);
    at += 4;
    return value;
  };
  const bytes = (n: number): Buffer => {
    if (at + n > frame.length) throw broken(`${n} bytes past the end at byte ${at}`);
    const view = frame.subarray(at, at + n);
    at += n;
    return view;
  };
  while (at < frame.length) {
    const keyLength = length();
    const key = keyLength === NULL_KEY ? null : bytes(keyLength).toString('utf8');
    let headers: unknown;
    try {
      headers = JSON.parse(bytes(length()).toString('utf8'));
    } catch (error) {
      if (error instanceof OutboxError) throw error;
      throw broken('headers are not JSON');
    }
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      throw broken('headers are not an object');
    }
    if (Object.values(headers).some((value) => typeof value !== 'string')) {
      throw broken('a header value is not a string');
    }
    const ordered = inJsonbKeyOrder(headers as Record<string, string>);
    messages.push({ key, headers: ordered, value: bytes(length()) });
  }
  if (messages.length !== count) throw broken(`${messages.length} messages, expected ${count}`);
  return messages;
}

/**
 * `headers` with its keys in the order a jsonb object keeps them (shorter keys first, then by
 * their bytes), which is the order a single-message row's headers column gives them back in.
 * Records of multi-message rows thus carry their headers in the same order as before.
 */
export function inJsonbKeyOrder(headers: Record<string, string>): Record<string, string> {
  // The writer puts its own headers in this order already (outboxHeaders): then there is
  // nothing to sort, and nothing to allocate, for each of a batch's thousand messages.
  const names = Object.keys(headers);
  let ordered = true;
  for (let i = 1; i < names.length && ordered; i += 1) {
    ordered = jsonbKeyBefore(names[i - 1], names[i]);
  }
  if (ordered) return headers;
  const keys = Object.keys(headers).map((name) => ({ name, bytes: Buffer.from(name, 'utf8') }));
  keys.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
  const sorted: Record<string, string> = {};
  for (const { name } of keys) sorted[name] = headers[name];
  return sorted;
}

/**
 * Whether `a` comes strictly before `b` in jsonb key order, decided without allocating for ASCII
 * names (where length and code-unit order are byte length and byte order); false for others,
 * which then take the sorting path.
 */
function jsonbKeyBefore(a: string, b: string): boolean {
  if (!isAscii(a) || !isAscii(b)) return false;
  return a.length < b.length || (a.length === b.length && a < b);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
