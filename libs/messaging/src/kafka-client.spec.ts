// Proves kafkajs log entries become flat JSON lines with level, namespace and the entry's fields.
import { logLevel } from 'kafkajs';
import { jsonLogCreator, type KafkaLogEntry } from './kafka-client';

describe('jsonLogCreator', () => {
  it('flattens a kafkajs entry', () => {
    const lines: KafkaLogEntry[] = [];
    const log = jsonLogCreator((e) => lines.push(e))(logLevel.WARN);
    log({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: 'Crash',
        timestamp: '2025-01-01T00:00:00.000Z',
        logger: 'kafkajs',
        groupId: 'g1',
      },
    });
    expect(lines).toEqual([
      {
        time: '2025-01-01T00:00:00.000Z',
        level: 'error',
        ns: 'kafkajs.Consumer',
        msg: 'Crash',
        groupId: 'g1',
      },
    ]);
  });

  it('names entries without a namespace kafkajs', () => {
    const lines: KafkaLogEntry[] = [];
    jsonLogCreator((e) => lines.push(e))(logLevel.INFO)({
      namespace: '',
      level: logLevel.INFO,
      label: 'INFO',
      log: { message: 'hello', timestamp: 't' },
    });
    expect(lines[0]).toMatchObject({ ns: 'kafkajs', level: 'info', msg: 'hello' });
  });
});

describe('jsonLogCreator demotion of retried attempts', () => {
  const entry = (namespace: string, level: logLevel, message: string) => ({
    namespace,
    level,
    label: '',
    log: { message, timestamp: 't' },
  });

  it('demotes error responses and failed send attempts to info, dropped below the minimum', () => {
    const atWarn: KafkaLogEntry[] = [];
    const atInfo: KafkaLogEntry[] = [];
    for (const [sink, min] of [
      [atWarn, 'warn'],
      [atInfo, 'info'],
    ] as const) {
      const log = jsonLogCreator((e) => sink.push(e), min)(logLevel.DEBUG);
      log(entry('Connection', logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)'));
      log(entry('Producer', logLevel.ERROR, 'Failed to send messages: concurrent'));
      log(entry('Connection', logLevel.ERROR, 'Connection error: ECONNREFUSED'));
      log(entry('Consumer', logLevel.DEBUG, 'fetching'));
    }
    expect(atWarn.map((e) => [e.ns, e.level])).toEqual([['kafkajs.Connection', 'error']]);
    expect(atInfo.map((e) => e.level)).toEqual(['info', 'info', 'error']);
  });
});
