import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What settlement (TX2) needs beyond the first schema:
 *
 * - `orders.status` may be `PENDING_TRIGGER`: a stop order the engine accepted and holds outside
 *   the book until its stop price is reached. It is live, so the user's live-order index covers
 *   it too (cancel-all and "my open orders" find it).
 * - `orders.expiry_reason`: why an EXPIRED order expired (the engine's ExpiryReason).
 * - `settlement_shard_fencing`: the highest fencing token settlement has seen per engine shard
 *   (one shard spans several partitions, so the per-partition maximum in
 *   `settlement_checkpoints` is not enough), and how many stale events it rejected.
 */
export class Settlement1790000000005 implements MigrationInterface {
  name = 'Settlement1790000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await queryRunner.query(`
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (
        status IN ('NEW', 'PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED',
                   'EXPIRED', 'REJECTED')
      )`);
    await queryRunner.query(`ALTER TABLE orders ADD COLUMN expiry_reason text`);
    await queryRunner.query(`DROP INDEX orders_user_live_idx`);
    await queryRunner.query(`
      CREATE INDEX orders_user_live_idx ON orders (user_id, created_at DESC)
        WHERE status IN ('NEW', 'PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED')`);
    await queryRunner.query(`
      CREATE TABLE settlement_shard_fencing (
        shard integer PRIMARY KEY CHECK (shard >= 0),
        max_fencing_token bigint NOT NULL DEFAULT 0 CHECK (max_fencing_token >= 0),
        stale_rejected_total bigint NOT NULL DEFAULT 0 CHECK (stale_rejected_total >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE settlement_shard_fencing`);
    await queryRunner.query(`DROP INDEX orders_user_live_idx`);
    await queryRunner.query(`
      CREATE INDEX orders_user_live_idx ON orders (user_id, created_at DESC)
        WHERE status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED')`);
    await queryRunner.query(`ALTER TABLE orders DROP COLUMN expiry_reason`);
    await queryRunner.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await queryRunner.query(`
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (
        status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED')
      )`);
  }
}
