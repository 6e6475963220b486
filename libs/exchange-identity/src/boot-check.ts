import type { Kafka } from 'kafkajs';
import { createDataSource } from '@app/database';
import { createKafka } from '@app/messaging';
import type { Logger } from '@app/observability';
import { checkExchangeIdentity, type ExchangeIdentityCheck } from './check-exchange-identity';
import {
  EXCHANGE_IDENTITY_BOOT_TIMEOUT_MS,
  EXCHANGE_IDENTITY_RETRY_DELAY_MS,
} from './exchange-identity.constants';
import { isExchangeIdentityMismatch } from './exchange-identity-error';

/** Where the check reports: a pino logger, or anything with the same two methods. */
export interface IdentityCheckLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** The settings the check reads: those of every service with PostgreSQL and Kafka. */
export interface ExchangeIdentitySettings {
  readonly DATABASE_URL: string;
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_TOPIC_PREFIX: string;
}

/**
 * Runs `checkExchangeIdentity` with a connection and a Kafka client of its own (closed after),
 * retrying a failure that is not a mismatch (a dependency not answering yet, topics not created
 * yet) for up to EXCHANGE_IDENTITY_BOOT_TIMEOUT_MS, then throwing the last error. A mismatch is
 * thrown at once: retrying cannot change it.
 *
 * @param application names the connection and the Kafka client, e.g. `order-service`.
 */
export async function verifyExchangeIdentity(
  settings: ExchangeIdentitySettings,
  logger: IdentityCheckLogger,
  application: string,
): Promise<ExchangeIdentityCheck> {
  const deadline = Date.now() + EXCHANGE_IDENTITY_BOOT_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    const startedAt = Date.now();
    try {
      const check = await checkOnce(settings, application);
      logger.info(
        {
          exchangeId: check.exchangeId,
          outcome: check.outcome,
          metaTopic: check.metaTopic,
          ms: Date.now() - startedAt,
        },
        'exchange identity checked: the database and the Kafka log belong to one exchange',
      );
      return check;
    } catch (error) {
      if (isExchangeIdentityMismatch(error)) throw error;
      if (Date.now() + EXCHANGE_IDENTITY_RETRY_DELAY_MS >= deadline) throw error;
      logger.warn({ err: error, attempt }, 'exchange identity check failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, EXCHANGE_IDENTITY_RETRY_DELAY_MS));
    }
  }
}

/**
 * The boot check of a service that talks to both PostgreSQL and Kafka, for `runService`'s
 * `beforeStart`: it runs before the app is created, so before settlement, the outbox relay or a
 * leader election can do anything.
 */
export function exchangeIdentityBootCheck(
  application: string,
): (settings: ExchangeIdentitySettings, logger: Logger) => Promise<void> {
  return async (settings, logger) => {
    await verifyExchangeIdentity(settings, logger, application);
  };
}

async function checkOnce(
  settings: ExchangeIdentitySettings,
  application: string,
): Promise<ExchangeIdentityCheck> {
  const db = createDataSource({
    url: settings.DATABASE_URL,
    poolSizeMax: 1,
    applicationName: `${application}:exchange-identity`,
  });
  const kafka: Kafka = createKafka({
    brokers: settings.KAFKA_BROKERS,
    clientId: `${application}-exchange-identity`,
    logLevel: 'error',
  });
  await db.initialize();
  try {
    return await checkExchangeIdentity({ db, kafka, topicPrefix: settings.KAFKA_TOPIC_PREFIX });
  } finally {
    await db.destroy();
  }
}
