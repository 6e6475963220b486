// Proves fencing is recognised however kafkajs wraps or names it, and nothing else is taken for it.
import { isFencingError, MessagingError } from './messaging-error';

describe('isFencingError', () => {
  const epoch = { type: 'INVALID_PRODUCER_EPOCH', code: 47, message: 'old epoch' };

  it.each([
    ['the protocol error', epoch],
    ['PRODUCER_FENCED by type', { type: 'PRODUCER_FENCED', code: 90 }],
    [
      'code 90 unknown to kafkajs',
      { type: 'KAFKAJS_UNKNOWN_ERROR_CODE', code: -99, message: 'Unknown error code 90' },
    ],
    ['our own error', new MessagingError('PRODUCER_FENCED', 'fenced')],
    ['a wrapped cause', new Error('outer', { cause: epoch })],
    ['a kafkajs originalError', { name: 'KafkaJSNonRetriableError', originalError: epoch }],
    ['an aggregate', { errors: [new Error('x'), epoch] }],
  ])('recognises %s', (_label, err) => {
    expect(isFencingError(err)).toBe(true);
  });

  it.each([
    ['another protocol error', { type: 'NOT_COORDINATOR', code: 16 }],
    [
      'another unknown code',
      { type: 'KAFKAJS_UNKNOWN_ERROR_CODE', message: 'Unknown error code 900' },
    ],
    ['a plain error', new Error('boom')],
    ['a string', 'PRODUCER_FENCED'],
    ['null', null],
  ])('does not take %s for fencing', (_label, err) => {
    expect(isFencingError(err)).toBe(false);
  });
});
