import { Kafka, logLevel as KafkaJsLogLevel, type LogEntry, type logCreator } from 'kafkajs';
import {
  KAFKA_CONNECTION_TIMEOUT_MS,
  KAFKA_REQUEST_TIMEOUT_MS,
  KAFKA_RETRIES_MAX,
  KAFKA_RETRY_INITIAL_MS,
  KAFKA_RETRY_MAX_MS,
} from './messaging.constants';
import { guardKafkaJsRequestQueue } from './kafkajs-timeout-guard';

guardKafkaJsRequestQueue();

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** One kafkajs log line as a flat JSON-ready object. */
export interface KafkaLogEntry {
  readonly time: string;
  readonly level: Exclude<KafkaLogLevel, 'nothing'>;
  /** `kafkajs.<namespace>`, e.g. `kafkajs.Consumer`. */
  readonly ns: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type KafkaLogSink = (entry: KafkaLogEntry) => void;

export interface KafkaClientOptions {
  /** `host:port` list of bootstrap brokers. */
  readonly brokers: readonly string[];
  /** Names this process in broker logs and quotas, e.g. `matching-engine-1`. */
  readonly clientId: string;
  /** Lowest kafkajs level logged; `warn` by default. */
  readonly logLevel?: KafkaLogLevel;
  /** Where log lines go; one JSON object per line on standard output by default. */
  readonly log?: KafkaLogSink;
}

const LEVELS: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

const LEVEL_NAMES: Record<number, KafkaLogEntry['level']> = {
  [KafkaJsLogLevel.ERROR]: 'error',
  [KafkaJsLogLevel.WARN]: 'warn',
  [KafkaJsLogLevel.INFO]: 'info',
  [KafkaJsLogLevel.DEBUG]: 'debug',
};

/** A kafkajs client with this project's timeouts, bounded retries and JSON logging. */
export function createKafka(options: KafkaClientOptions): Kafka {
  if (options.brokers.length === 0) throw new Error('createKafka: no brokers given');
  const level = options.logLevel ?? 'warn';
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeout: KAFKA_REQUEST_TIMEOUT_MS,
    retry: {
      initialRetryTime: KAFKA_RETRY_INITIAL_MS,
      maxRetryTime: KAFKA_RETRY_MAX_MS,
      retries: KAFKA_RETRIES_MAX,
    },
    logLevel: LEVELS[level],
    logCreator: jsonLogCreator(options.log ?? writeJsonLine, level),
  });
}

/**
 * Turns kafkajs log entries into flat `KafkaLogEntry` objects for `sink`.
 *
 * kafkajs logs every error response of the broker at ERROR, and every failed send attempt,
 * even when it retries and succeeds (a coordinator still loading, CONCURRENT_TRANSACTIONS
 * between back-to-back transactions). An error that is not retried away reaches the caller as
 * an exception, so these lines are demoted to info; below `minLevel` they are dropped.
 */
export function jsonLogCreator(sink: KafkaLogSink, minLevel: KafkaLogLevel = 'debug'): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp, logger: _logger, ...fields } = log;
      const demoted = isRetriedAttempt(namespace, message) && level < KafkaJsLogLevel.INFO;
      const effective = demoted ? KafkaJsLogLevel.INFO : level;
      if (effective > LEVELS[minLevel]) return;
      sink({
        ...fields,
        time: timestamp,
        level: LEVEL_NAMES[effective] ?? 'info',
        ns: namespace ? `kafkajs.${namespace}` : 'kafkajs',
        msg: message,
      });
    };
}

function isRetriedAttempt(namespace: string, message: string): boolean {
  return (
    (namespace === 'Connection' && message.startsWith('Response ')) ||
    (namespace === 'Producer' && message.startsWith('Failed to send messages'))
  );
}

function writeJsonLine(entry: KafkaLogEntry): void {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
