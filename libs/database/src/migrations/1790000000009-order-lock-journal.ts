import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Netted LOCK entries for batches (issue 4). TX1 of a batch of a thousand orders wrote two
 * ledger entries per order (AVAILABLE -x, LOCKED +x, ref_type ORDER): two thousand rows, about a
 * third of the database's work for the batch. The balances it moves are one per user and asset,
 * so the ledger now records it that way: one pair per user and asset for the whole statement,
 * ref_type `ORDER_BATCH`, ref_id the journal's id. The lock each order took is kept on the order:
 *
 * - `orders.initial_lock`: what TX1 locked for the order (its `locked_amount` at insert, which
 *   only falls afterwards, as trades spend it and UNLOCK entries release it);
 * - `orders.lock_journal_id`: the journal of that LOCK.
 *
 * The auditor ties the two together: the LOCK entries of every `ORDER_BATCH` reference equal the
 * sum of the initial locks of the orders naming that journal, per user and asset, and a TX1 of one
 * order still writes its own pair (ref_type `ORDER`, ref_id the order), which equals its initial
 * lock. Existing orders are filled in from their per-order entries.
 *
 * `down` keeps the ledger append-only: it writes one correcting journal that reverses every
 * netted pair (under its batch reference) and locks each of those orders' initial lock again
 * under ref_type ORDER, the shape the code before this migration reads. Balances are unchanged.
 */
export class OrderLockJournal1790000000009 implements MigrationInterface {
  name = 'OrderLockJournal1790000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE orders ADD COLUMN initial_lock numeric(38, 0), ADD COLUMN lock_journal_id uuid`);
    // Each order's LOCK: its own entries, all in one journal (TX1 writes them that way, and so
    // does this migration's down).
    await queryRunner.query(`
      UPDATE orders o SET initial_lock = l.locked, lock_journal_id = l.journal_id
        FROM (SELECT ref_id, sum(amount) AS locked, min(journal_id::text)::uuid AS journal_id
                FROM ledger_entries
               WHERE reason = 'LOCK' AND ref_type = 'ORDER' AND account = 'LOCKED'
               GROUP BY ref_id
              HAVING count(DISTINCT journal_id) = 1) l
       WHERE l.ref_id = o.id::text`);
    await queryRunner.query(`
      DO $$
      DECLARE
        missing uuid;
      BEGIN
        SELECT id INTO missing FROM orders WHERE initial_lock IS NULL LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'order % has no LOCK entries in exactly one journal; repair the ledger first',
            missing;
        END IF;
      END $$`);
    await queryRunner.query(`
      ALTER TABLE orders
        ALTER COLUMN initial_lock SET NOT NULL,
        ALTER COLUMN lock_journal_id SET NOT NULL,
        ADD CONSTRAINT orders_initial_lock_non_negative CHECK (initial_lock >= 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // No TX1 may commit a netted batch between the correction and the columns' drop.
    await queryRunner.query(`LOCK TABLE orders IN ACCESS EXCLUSIVE MODE`);
    await queryRunner.query(`
      WITH netted AS (
        SELECT user_id, account, asset, amount, ref_id FROM ledger_entries
         WHERE reason = 'LOCK' AND ref_type = 'ORDER_BATCH'
      ), correction AS (SELECT gen_random_uuid() AS journal_id)
      INSERT INTO ledger_entries (journal_id, user_id, account, asset, amount, reason, ref_type, ref_id)
      SELECT c.journal_id, n.user_id, n.account, n.asset, -n.amount, 'LOCK', 'ORDER_BATCH', n.ref_id
        FROM netted n CROSS JOIN correction c
      UNION ALL
      SELECT c.journal_id, o.user_id, e.account, o.lock_asset,
             CASE e.account WHEN 'AVAILABLE' THEN -o.initial_lock ELSE o.initial_lock END,
             'LOCK', 'ORDER', o.id::text
        FROM orders o
        JOIN (SELECT DISTINCT ref_id FROM netted) b ON b.ref_id = o.lock_journal_id::text
       CROSS JOIN (VALUES ('AVAILABLE'), ('LOCKED')) AS e(account)
       CROSS JOIN correction c`);
    await queryRunner.query(`
      ALTER TABLE orders DROP COLUMN initial_lock, DROP COLUMN lock_journal_id`);
  }
}
