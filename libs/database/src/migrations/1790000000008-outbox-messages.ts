import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multi-message outbox rows (issue 4): a batch of orders writes one outbox row for all its place
 * commands instead of one row per order, which the relay expands into the same Kafka records.
 *
 * - `outbox.messages`: null for a single-message row (key, headers and payload are the
 *   message's, as before); otherwise the number of messages framed in `payload` (see
 *   libs/outbox/src/message-frame.ts), with `key` null and `headers` empty.
 * - `payload` is stored uncompressed (STORAGE EXTERNAL): a frame of a thousand commands is about
 *   450 KiB, which the default EXTENDED storage would compress with pglz on every insert, a few
 *   milliseconds of CPU per batch for a row that lives until the relay's next round. Rows of a
 *   single command stay under the TOAST threshold and are stored inline either way. Uncompressed
 *   out-of-line values also let the relay read their length without fetching them.
 *
 * `down` refuses while multi-message rows wait to be published: the old schema cannot hold
 * them, and dropping them would lose commands. Let the relay drain the outbox first.
 */
export class OutboxMessages1790000000008 implements MigrationInterface {
  name = 'OutboxMessages1790000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE outbox
        ADD COLUMN messages integer CONSTRAINT outbox_messages_positive
          CHECK (messages IS NULL OR messages >= 1)`);
    await queryRunner.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Held to the end of the migration's transaction: no multi-message row can be committed
    // between the check and the column's drop.
    await queryRunner.query(`LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE`);
    await queryRunner.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT FROM outbox WHERE messages IS NOT NULL) THEN
          RAISE EXCEPTION 'outbox holds multi-message rows; let the relay publish them first';
        END IF;
      END $$`);
    await queryRunner.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED`);
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN messages`);
  }
}
