import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The exchange's identity on the database side (design invariant 9): one row holding a random
 * UUID that the first boot also writes as the first record of the log's `exchange.meta` topic
 * (`libs/exchange-identity`). A service refuses to start when the two differ, so a database and
 * a Kafka log from different lives of the exchange are never run together.
 *
 * - `singleton`: the primary key, always true, so the table holds at most one row and
 *   `INSERT ... ON CONFLICT DO NOTHING` lets concurrent first boots agree on one identity.
 * - `bound_at`: when the identity was found as the first record of the log; null until then. A
 *   first boot that crashed between writing this row and writing the log leaves it null, and the
 *   next boot completes the binding instead of refusing.
 * - `log_topic`: the physical name of the metadata topic it was bound to (with the topic prefix),
 *   for the refusal message when a database is later started beside another log.
 *
 * The row is written by the boot check, not here: a migrated database has no identity until a
 * service (or `npm run up`) first meets a log. Nothing updates `exchange_id`; a row changed or
 * deleted by hand fails closed (the next boot finds an identity the log does not have).
 */
export class ExchangeIdentity1790000000010 implements MigrationInterface {
  name = 'ExchangeIdentity1790000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE exchange_identity (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        exchange_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        bound_at timestamptz,
        log_topic text,
        CONSTRAINT exchange_identity_bound_names_topic CHECK ((bound_at IS NULL) = (log_topic IS NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE exchange_identity`);
  }
}
