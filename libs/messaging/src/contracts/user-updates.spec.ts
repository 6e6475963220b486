// Proves the user-updates contract: what settlement encodes decodes to the same update, and a
// value that is not a user update of this schema is refused rather than half-read.
import {
  decodeUserUpdate,
  encodeUserUpdate,
  USER_UPDATE_ORDERS_MAX,
  USER_UPDATES_TOPIC_SPEC,
  type UserUpdate,
} from './user-updates';

const UPDATE: UserUpdate = {
  type: 'settlement',
  userId: 'u-1',
  orders: [
    {
      orderId: 'o-1',
      clientOrderId: null,
      symbol: 'BTC-USDT',
      status: 'PARTIALLY_FILLED',
      filledLots: 3,
      filledQuoteMinor: '90000000000',
      lockedMinor: '12345678901234567890',
      eventSeq: 7,
      timestampMs: 1_700_000_000_000,
    },
    {
      orderId: 'o-2',
      clientOrderId: 'mm:42',
      symbol: 'ETH-USDT',
      status: 'CANCELLED',
      filledLots: 0,
      filledQuoteMinor: '0',
      lockedMinor: '0',
      eventSeq: 8,
      timestampMs: 1_700_000_000_001,
    },
  ],
  balances: [{ asset: 'USDT', availableMinor: '100', lockedMinor: '0' }],
};

const wire = (update: unknown) => Buffer.from(JSON.stringify(update), 'utf8');

describe('user-updates contract', () => {
  it('names the topic and its key', () => {
    expect(USER_UPDATES_TOPIC_SPEC.logical).toBe('exchange.user-updates');
    expect(USER_UPDATES_TOPIC_SPEC.key).toBe('userId');
  });

  it('decodes what it encodes, from a Buffer or a string', () => {
    const value = wire(encodeUserUpdate(UPDATE));
    expect(decodeUserUpdate(value)).toEqual(UPDATE);
    expect(decodeUserUpdate(value.toString('utf8'))).toEqual(UPDATE);
    expect(decodeUserUpdate(wire({ ...UPDATE, orders: [], balances: [] }))).toEqual({
      ...UPDATE,
      orders: [],
      balances: [],
    });
  });

  it.each([
    ['another type', { ...UPDATE, type: 'trade' }],
    ['no user', { ...UPDATE, userId: undefined }],
    ['orders not a list', { ...UPDATE, orders: {} }],
    ['an unknown status', { ...UPDATE, orders: [{ ...UPDATE.orders[0], status: 'NEW' }] }],
    ['a fractional lot count', { ...UPDATE, orders: [{ ...UPDATE.orders[0], filledLots: 1.5 }] }],
    [
      'an amount that is a number',
      { ...UPDATE, orders: [{ ...UPDATE.orders[0], lockedMinor: 5 }] },
    ],
    ['a decimal amount', { ...UPDATE, balances: [{ ...UPDATE.balances[0], lockedMinor: '1.5' }] }],
    [
      'more orders than a record holds',
      {
        ...UPDATE,
        orders: Array.from({ length: USER_UPDATE_ORDERS_MAX + 1 }, () => UPDATE.orders[0]),
      },
    ],
  ])('refuses %s', (_name, value) => {
    expect(() => decodeUserUpdate(wire(value))).toThrow(/malformed user update/);
  });

  it('refuses a value that is not JSON', () => {
    expect(() => decodeUserUpdate('not json')).toThrow(SyntaxError);
  });
});
