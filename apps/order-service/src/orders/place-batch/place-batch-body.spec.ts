// Proves the batch body fast path never accepts what the DTO refuses, and passes the same
// entries: seeded random bodies (fast-check, seed printed on failure) go through both
// `plainBatchBody` and the global validation pipe with PlaceBatchDto, and are compared.
import 'reflect-metadata';
import fc from 'fast-check';
import { DomainRejection } from '../../http/domain-rejection';
import { createValidationPipe } from '../../http/validation';
import { PlaceBatchDto } from './place-batch.dto';
import { plainBatchBody } from './place-batch-body';
import { BATCH_ORDERS_MAX } from '../orders.constants';

const pipe = createValidationPipe();

/** What the DTO makes of a body: its entries as plain objects, or the error code it answers. */
async function viaDto(body: unknown): Promise<{ orders: unknown[] } | { code: string }> {
  try {
    const dto = (await pipe.transform(body, { type: 'body', metatype: PlaceBatchDto })) as {
      orders: object[];
    };
    return { orders: dto.orders.map((entry) => ({ ...entry })) };
  } catch (error) {
    if (error instanceof DomainRejection) return { code: error.code };
    throw error;
  }
}

const VALID = {
  symbol: 'BTC-USDT',
  side: 'BUY',
  type: 'LIMIT',
  price: '100.00',
  quantity: '0.1',
};

// Values that are right for some fields and wrong for others, and wrong for every field.
const ANY_VALUE = fc.constantFrom<unknown>(
  'BTC-USDT',
  'btc/usdt',
  'BUY',
  'SELL',
  'HOLD',
  'LIMIT',
  'MARKET',
  'STOP_LIMIT',
  'GTC',
  'IOC',
  'FOK',
  'NONE',
  'EXPIRE_BOTH',
  '100.00',
  '0.1',
  '1e2',
  '-1',
  '0',
  '',
  ' 1',
  '0.000000001',
  '99999999999999999999999999999999999999999',
  'mm-42',
  'x'.repeat(65),
  'NaN',
  true,
  false,
  0.1,
  1,
  null,
  {},
  [],
  ['BUY'],
);
const FIELDS = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'postOnly',
  'stp',
  'price',
  'stopPrice',
  'quantity',
  'quoteAmount',
  'maxQuote',
  'clientOrderId',
  'orderId',
  'status',
  'fee',
  'note',
  'constructor',
];

const entry = fc.oneof(
  fc.constant(VALID),
  fc
    .record({
      base: fc.boolean(),
      changes: fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(ANY_VALUE)), {
        maxLength: 4,
      }),
    })
    .map(({ base, changes }) => {
      const value: Record<string, unknown> = base ? { ...VALID } : {};
      // fc.option's null means "remove the field"; a null value is ANY_VALUE's own null.
      for (const [field, change] of changes) {
        if (change === null) delete value[field];
        else value[field] = change;
      }
      return value;
    }),
  ANY_VALUE,
);

const body = fc.oneof(
  { weight: 8, arbitrary: fc.record({ orders: fc.array(entry, { minLength: 1, maxLength: 4 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ orders: fc.array(entry, { maxLength: 2 }), extra: ANY_VALUE }),
  },
  { weight: 1, arbitrary: fc.record({ orders: ANY_VALUE }) },
  { weight: 1, arbitrary: ANY_VALUE },
);

describe('plainBatchBody', () => {
  it('accepts only bodies the DTO accepts, with the same entries (seeded, 3,000 bodies)', async () => {
    let fast = 0;
    await fc.assert(
      fc.asyncProperty(body, async (candidate) => {
        // Both paths see their own copy: the validation pipe strips keys in place.
        const plain = plainBatchBody(structuredClone(candidate));
        const dto = await viaDto(structuredClone(candidate));
        if (plain === undefined) return;
        fast += 1;
        expect(dto).toEqual({ orders: plain.orders });
      }),
      { numRuns: 3_000 },
    );
    // The generator must reach the fast path often enough for the comparison to mean something.
    expect(fast).toBeGreaterThan(300);
  });

  it('takes a full batch of valid entries, with every optional field set', () => {
    const full = {
      ...VALID,
      type: 'STOP_LIMIT',
      timeInForce: 'IOC',
      postOnly: false,
      stp: 'EXPIRE_MAKER',
      stopPrice: '99.00',
      quoteAmount: '5',
      maxQuote: '10',
      clientOrderId: 'mm-1._:',
    };
    const orders = Array.from({ length: BATCH_ORDERS_MAX }, () => full);
    expect(plainBatchBody({ orders })).toEqual({ orders });
  });

  it.each([
    ['an empty batch', { orders: [] }],
    ['an oversized batch', { orders: Array.from({ length: BATCH_ORDERS_MAX + 1 }, () => VALID) }],
    ['a field besides orders', { orders: [VALID], note: 'x' }],
    ['an entry without a symbol', { orders: [{ ...VALID, symbol: undefined }] }],
    ['an unknown field', { orders: [{ ...VALID, leverage: '10' }] }],
    ['a server-assigned field', { orders: [{ ...VALID, status: 'FILLED' }] }],
    ['a null optional field', { orders: [{ ...VALID, stopPrice: null }] }],
    ['a JSON number as amount', { orders: [{ ...VALID, quantity: 0.1 }] }],
    ['a malformed decimal', { orders: [{ ...VALID, price: '1e2' }] }],
    ['an array entry', { orders: [[VALID]] }],
    ['an array body', [VALID]],
  ])('leaves %s to the DTO', (_label, candidate) => {
    expect(plainBatchBody(JSON.parse(JSON.stringify(candidate)))).toBeUndefined();
  });
});
