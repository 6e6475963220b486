// Proves that log lines are single JSON objects carrying service, level and the request id.
import { Writable } from 'node:stream';
import { JsonLogger, createLogger } from './logger';
import { runWithRequestId } from './request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('JSON logger', () => {
  it('writes one JSON object per line with the request id', () => {
    const { lines, destination } = capture();
    const logger = new JsonLogger(createLogger({ service: 'svc', level: 'info', destination }));
    runWithRequestId('req-9', () => logger.log('hello', 'Ctx'));
    logger.error('boom', 'stack-here', 'Other');
    logger.debug('hidden');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'svc',
      msg: 'hello',
      context: 'Ctx',
      requestId: 'req-9',
    });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'boom', stack: 'stack-here' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });
});
