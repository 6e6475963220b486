// Proves records carry the schema version and ids, and consumed headers read back as strings.
import { messageHeaders, readHeader } from './headers';
import { MESSAGE_HEADERS, SCHEMA_VERSION } from './topics';

describe('messageHeaders and readHeader', () => {
  it('always sets the schema version and only the ids given', () => {
    expect(messageHeaders()).toEqual({ 'x-schema-version': String(SCHEMA_VERSION) });
    expect(messageHeaders({ requestId: 'r1', commandId: 'c1' })).toEqual({
      'x-schema-version': String(SCHEMA_VERSION),
      'x-request-id': 'r1',
      'x-command-id': 'c1',
    });
  });

  it('reads Buffers, strings and repeated headers as their first string value', () => {
    const consumed = {
      [MESSAGE_HEADERS.requestId]: Buffer.from('r1'),
      [MESSAGE_HEADERS.commandId]: [Buffer.from('c1'), Buffer.from('c2')],
      other: 'plain',
    };
    expect(readHeader(consumed, MESSAGE_HEADERS.requestId)).toBe('r1');
    expect(readHeader(consumed, MESSAGE_HEADERS.commandId)).toBe('c1');
    expect(readHeader(consumed, 'other')).toBe('plain');
    expect(readHeader(consumed, 'missing')).toBeUndefined();
    expect(readHeader(undefined, 'missing')).toBeUndefined();
  });
});
