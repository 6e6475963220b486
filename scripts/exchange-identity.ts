// Checks that the database (DATABASE_URL) and the Kafka log (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX)
// belong to one exchange, binding them if both are fresh: the check every service with both
// runs at boot (libs/exchange-identity). `npm run up` and the compose migrate job run it after
// migrating and creating the topics, so a mismatch stops the start there, before any service
// runs. Exits 0 when they match, 65 (EXCHANGE_IDENTITY_MISMATCH_EXIT_CODE) with the reason and
// the fix when they do not, and 1 on any other failure (after retrying it for a while).
import {
  isExchangeIdentityMismatch,
  verifyExchangeIdentity,
  type IdentityCheckLogger,
} from '@app/exchange-identity';

const logger: IdentityCheckLogger = {
  info: () => undefined,
  warn: (fields, message) => {
    const err = fields.err instanceof Error ? `: ${fields.err.message}` : '';
    console.error(`${message}${err}`);
  },
};

async function main(): Promise<void> {
  const check = await verifyExchangeIdentity(
    {
      DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/exchange',
      KAFKA_BROKERS: (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
        .split(',')
        .map((b) => b.trim()),
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '',
    },
    logger,
    'exchange-identity-script',
  );
  const what = {
    matched: 'the database and the log belong to exchange',
    created: 'a fresh exchange: bound the database and the log to exchange',
    adopted: 'an exchange from before identities: bound the database and the log to exchange',
    completed: 'completed an interrupted first binding to exchange',
  }[check.outcome];
  console.log(`${what} ${check.exchangeId} (${check.metaTopic})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(isExchangeIdentityMismatch(error) ? error.exitCode : 1);
});
