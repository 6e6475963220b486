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
 * - `orders.lock_journal_id`: the journal of that LOCK (null only for an order written by a
 *   release from before this migration, whose own LOCK pair names it).
 *
 * Both are write-once: a trigger refuses any UPDATE that changes them, as the ledger refuses
 * edits, so an order's share of its batch's lock cannot be moved to another order afterwards.
 * The auditor ties them to the ledger: the LOCK pair of every `ORDER_BATCH` reference equals the
 * sum of the initial locks of the orders naming that journal, per user and asset, and a TX1 of one
 * order still writes its own pair (ref_type `ORDER`, ref_id the order), which equals its initial
 * lock, in its lock journal. Existing orders are filled in from their own entries.
 *
 * Rolling deploys: a BEFORE INSERT trigger, called only for a row that names no initial lock (the
 * WHEN clause is checked without calling the function), sets it to the row's `locked_amount`. So
 * the previous release's TX1, which writes a LOCK pair per order and does not know the columns,
 * keeps working beside this one, and the auditor accepts its orders.
 *
 * `down` keeps the ledger append-only: it writes one correcting journal that reverses every
 * netted pair (under its batch reference) and locks each of those orders' initial lock again
 * under ref_type ORDER, the shape the code before this migration reads. Balances are unchanged.
 * It refuses if a netted pair does not equal the initial locks of its orders.
 *
 * `up` rewrites every order row to fill the columns, under the table's ACCESS EXCLUSIVE lock:
 * order entry and settlement wait for it. On a large table, run it in a quiet window.
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
        FROM (SELECT ref_id, sum(amount) AS locked, (array_agg(DISTINCT journal_id))[1] AS journal_id
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
        ADD CONSTRAINT orders_initial_lock_non_negative CHECK (initial_lock >= 0)`);
    await queryRunner.query(`
      CREATE FUNCTION orders_initial_lock_default() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.initial_lock := NEW.locked_amount;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER orders_initial_lock_default BEFORE INSERT ON orders
        FOR EACH ROW WHEN (NEW.initial_lock IS NULL)
        EXECUTE FUNCTION orders_initial_lock_default()`);
    await queryRunner.query(`
      CREATE FUNCTION orders_lock_write_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'orders.initial_lock and orders.lock_journal_id are written once, by TX1 (order %)',
          OLD.id
          USING ERRCODE = 'restrict_violation', CONSTRAINT = 'orders_lock_write_once';
      END $$`);
    // Fires only when an UPDATE names one of the columns (settlement's updates do not), and only
    // when the value changes.
    await queryRunner.query(`
      CREATE TRIGGER orders_lock_write_once BEFORE UPDATE OF initial_lock, lock_journal_id ON orders
        FOR EACH ROW
        WHEN (NEW.initial_lock IS DISTINCT FROM OLD.initial_lock
              OR NEW.lock_journal_id IS DISTINCT FROM OLD.lock_journal_id)
        EXECUTE FUNCTION orders_lock_write_once()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // No TX1 may commit a netted batch between the correction and the columns' drop.
    await queryRunner.query(`LOCK TABLE orders IN ACCESS EXCLUSIVE MODE`);
    // The correction re-locks each order's initial lock: refuse unless that is what its batch's
    // netted pair locked, or the ledger would stop matching the balances.
    await queryRunner.query(`
      DO $$
      DECLARE
        bad record;
      BEGIN
        SELECT coalesce(n.ref_id, o.ref_id) AS ref_id, n.locked, o.locked AS initial_locks INTO bad
          FROM (SELECT ref_id, user_id, asset, sum(amount) AS locked FROM ledger_entries
                 WHERE reason = 'LOCK' AND ref_type = 'ORDER_BATCH' AND account = 'LOCKED'
                 GROUP BY ref_id, user_id, asset) n
          FULL JOIN (SELECT lock_journal_id::text AS ref_id, user_id, lock_asset AS asset,
                            sum(initial_lock) AS locked
                       FROM orders
                      WHERE lock_journal_id::text IN (SELECT ref_id FROM ledger_entries
                                                       WHERE reason = 'LOCK' AND ref_type = 'ORDER_BATCH')
                      GROUP BY 1, 2, 3) o
            ON o.ref_id = n.ref_id AND o.user_id = n.user_id AND o.asset = n.asset
         WHERE coalesce(n.locked, 0) <> coalesce(o.locked, 0)
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'batch lock % locked % but its orders'' initial locks sum to %; repair first',
            bad.ref_id, coalesce(bad.locked, 0), coalesce(bad.initial_locks, 0);
        END IF;
      END $$`);
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
    await queryRunner.query(`DROP TRIGGER orders_lock_write_once ON orders`);
    await queryRunner.query(`DROP FUNCTION orders_lock_write_once()`);
    await queryRunner.query(`DROP TRIGGER orders_initial_lock_default ON orders`);
    await queryRunner.query(`DROP FUNCTION orders_initial_lock_default()`);
    await queryRunner.query(`
      ALTER TABLE orders DROP COLUMN initial_lock, DROP COLUMN lock_journal_id`);
  }
}
