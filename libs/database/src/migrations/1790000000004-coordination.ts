import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables that coordinate processes rather than hold money: the transactional outbox, leader
 * leases with fencing tokens, and settlement's per-partition checkpoints.
 *
 * `outbox.txid` records the writing transaction (`pg_current_xact_id()`). Ids are assigned at
 * insert but rows become visible at commit, so a row with a lower id can appear after a higher
 * one. A relay that keeps an "id > last seen" mark may advance it only past rows whose txid is
 * below its snapshot's xmin (`pg_snapshot_xmin(pg_current_snapshot())`): every such transaction
 * has finished, so nothing can still appear behind the mark.
 */
export class Coordination1790000000004 implements MigrationInterface {
  name = 'Coordination1790000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        topic text NOT NULL,
        key text,
        payload bytea NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE leases (
        name text PRIMARY KEY,
        holder text,
        token bigint NOT NULL DEFAULT 0 CHECK (token >= 0),
        expires_at timestamptz NOT NULL DEFAULT '-infinity',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE settlement_checkpoints (
        topic text NOT NULL,
        partition integer NOT NULL CHECK (partition >= 0),
        last_offset bigint NOT NULL DEFAULT -1 CHECK (last_offset >= -1),
        last_event_seq bigint NOT NULL DEFAULT 0 CHECK (last_event_seq >= 0),
        max_fencing_token bigint NOT NULL DEFAULT 0 CHECK (max_fencing_token >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE settlement_checkpoints`);
    await queryRunner.query(`DROP TABLE leases`);
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
