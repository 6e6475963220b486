import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper enforcement on settlement's write path (issue 5), enforcing the same rules as before:
 *
 * - Journal balance: the deferred constraint trigger `ledger_journal_balanced` used to queue one
 *   event, and so one PL/pgSQL call at commit, per ledger entry. Its WHEN clause now queues an
 *   event only for an entry whose journal differs from the journal of the last event queued
 *   (remembered in a transaction-local setting, which a subtransaction's rollback restores just
 *   as it discards the events the subtransaction queued). Every entry is still covered by an
 *   event that fires after it was inserted: either its own, or the still pending one of its
 *   journal, since every check clears the setting so that entries after it queue again. The
 *   check sums the whole journal, so a journal written over several statements is still checked
 *   as a whole at commit. A settlement batch (one journal, one statement) queues one event.
 * - References of ledger entries: the per-row foreign keys on user_id and asset (two index probes
 *   and row locks per entry) become one statement-level check over the statement's new rows,
 *   which takes the same KEY SHARE locks on the distinct users and assets, and a row trigger that
 *   refuses deleting (or renumbering) a user or asset that ledger entries still name.
 * - References of trades: the seven per-row foreign keys (maker and taker order, maker and taker
 *   user, symbol, both fee assets) become one statement-level check that is stronger than they
 *   were: both orders exist and are locked KEY SHARE, belong to the trade's users and market, the
 *   taker order has the taker side and the maker order the other one, and each fee is in the asset
 *   its payer receives (taker buys: taker fee in base, maker fee in quote). Orders reference their
 *   user and market, and markets their assets, by foreign keys, so locking the orders keeps the
 *   rest in place; a row trigger refuses deleting (or renumbering) an order a trade names.
 * - Indexes nothing queries are dropped: `ledger_entries (user_id, asset, id)` (every ledger read
 *   is by journal or a full scan) and `trades (symbol, executed_at)` (trade history is per user;
 *   market data comes from Kafka).
 */
/** Tables that ledger entries name, their key, and the ledger column naming it. */
const REFERENCED_BY_LEDGER = [
  ['users', 'id', 'user_id'],
  ['assets', 'code', 'asset'],
] as const;

export class SettlementWritePath1790000000006 implements MigrationInterface {
  name = 'SettlementWritePath1790000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Journal balance, checked once per run of entries of one journal.
    await queryRunner.query(`
      CREATE FUNCTION ledger_check_journal_balanced_once() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        checked text[] := string_to_array(current_setting('exchange.ledger_checked', true), ':');
        unbalanced record;
        max_id bigint;
      BEGIN
        -- Entries inserted from now on must queue a check of their own.
        PERFORM set_config('exchange.ledger_queued', '', true);
        -- A check of this journal that ran after this entry existed covered it (and everything
        -- that relied on this event), which keeps interleaved journals linear.
        IF checked[1] = NEW.journal_id::text AND NEW.id <= checked[2]::bigint THEN
          RETURN NULL;
        END IF;
        SELECT asset, sum(amount) AS total INTO unbalanced
          FROM ledger_entries WHERE journal_id = NEW.journal_id
          GROUP BY asset HAVING sum(amount) <> 0 LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger journal % does not balance: % entries sum to %',
            NEW.journal_id, unbalanced.asset, unbalanced.total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_journal_balanced';
        END IF;
        SELECT max(id) INTO max_id FROM ledger_entries WHERE journal_id = NEW.journal_id;
        PERFORM set_config('exchange.ledger_checked', NEW.journal_id::text || ':' || max_id, true);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`DROP TRIGGER ledger_journal_balanced ON ledger_entries`);
    // CASE fixes the evaluation order: remember the journal only when an event is queued.
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER ledger_journal_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW
        WHEN (CASE
                WHEN current_setting('exchange.ledger_queued', true) = NEW.journal_id::text THEN false
                ELSE set_config('exchange.ledger_queued', NEW.journal_id::text, true) IS NOT NULL
              END)
        EXECUTE FUNCTION ledger_check_journal_balanced_once()`);

    // Ledger references, checked per statement.
    await queryRunner.query(`
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_user_id_fkey,
                                 DROP CONSTRAINT ledger_entries_asset_fkey`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_entries_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        user_ids uuid[];
        asset_codes text[];
      BEGIN
        -- A statement names few distinct users and assets: probe each once.
        SELECT array_agg(user_id) INTO user_ids FROM (SELECT DISTINCT user_id FROM inserted) d;
        SELECT array_agg(asset) INTO asset_codes FROM (SELECT DISTINCT asset FROM inserted) d;
        -- Lock first, as a foreign key does: what exists now cannot be deleted until commit.
        PERFORM FROM users WHERE id = ANY (user_ids) FOR KEY SHARE;
        PERFORM FROM assets WHERE code = ANY (asset_codes) FOR KEY SHARE;
        IF (SELECT count(*) FROM users WHERE id = ANY (user_ids)) <> cardinality(user_ids)
           OR (SELECT count(*) FROM assets WHERE code = ANY (asset_codes)) <> cardinality(asset_codes)
        THEN
          RAISE EXCEPTION 'ledger entries name an unknown user or asset (users %, assets %)',
            user_ids, asset_codes
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_entries_references';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_references AFTER INSERT ON ledger_entries
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_check_references()`);
    // One guard per referenced table: a trigger function cannot name OLD's key generically.
    for (const [table, key, column] of REFERENCED_BY_LEDGER) {
      await queryRunner.query(`
        CREATE FUNCTION ${table}_keep_ledger_references() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.${key} = OLD.${key} THEN
            RETURN NULL;
          END IF;
          IF EXISTS (SELECT FROM ledger_entries WHERE ${column} = OLD.${key}) THEN
            RAISE EXCEPTION '${table} % is still named by ledger entries', OLD.${key}
              USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_entries_references';
          END IF;
          RETURN NULL;
        END $$`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_referenced_by_ledger AFTER DELETE OR UPDATE OF ${key} ON ${table}
          FOR EACH ROW EXECUTE FUNCTION ${table}_keep_ledger_references()`);
    }

    // Trade references, checked per statement.
    await queryRunner.query(`
      ALTER TABLE trades DROP CONSTRAINT trades_symbol_fkey,
                         DROP CONSTRAINT trades_maker_order_id_fkey,
                         DROP CONSTRAINT trades_taker_order_id_fkey,
                         DROP CONSTRAINT trades_maker_user_id_fkey,
                         DROP CONSTRAINT trades_taker_user_id_fkey,
                         DROP CONSTRAINT trades_maker_fee_asset_fkey,
                         DROP CONSTRAINT trades_taker_fee_asset_fkey`);
    await queryRunner.query(`
      CREATE FUNCTION trades_check_orders() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        bad record;
      BEGIN
        PERFORM FROM orders
          WHERE id IN (SELECT maker_order_id FROM inserted UNION SELECT taker_order_id FROM inserted)
          FOR KEY SHARE;
        -- Trades of a statement repeat few (orders, users, side, fee assets) combinations.
        SELECT t.symbol, t.maker_order_id, t.taker_order_id INTO bad
          FROM (SELECT DISTINCT symbol, maker_order_id, taker_order_id, maker_user_id,
                       taker_user_id, taker_side, maker_fee_asset, taker_fee_asset
                  FROM inserted) t
          LEFT JOIN orders mo ON mo.id = t.maker_order_id
          LEFT JOIN orders tk ON tk.id = t.taker_order_id
          LEFT JOIN markets m ON m.symbol = t.symbol
         WHERE mo.id IS NULL OR tk.id IS NULL OR m.symbol IS NULL
            OR mo.symbol <> t.symbol OR tk.symbol <> t.symbol
            OR mo.user_id <> t.maker_user_id OR tk.user_id <> t.taker_user_id
            OR tk.side <> t.taker_side OR mo.side = t.taker_side
            OR t.taker_fee_asset <> CASE t.taker_side WHEN 'BUY' THEN m.base_asset ELSE m.quote_asset END
            OR t.maker_fee_asset <> CASE t.taker_side WHEN 'BUY' THEN m.quote_asset ELSE m.base_asset END
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'a % trade of orders % and % does not match their users, market or fees',
            bad.symbol, bad.maker_order_id, bad.taker_order_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'trades_match_orders';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trades_match_orders AFTER INSERT ON trades
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION trades_check_orders()`);
    // Nothing updates a trade; one that changes is checked like a new one.
    await queryRunner.query(`
      CREATE TRIGGER trades_match_orders_on_update AFTER UPDATE ON trades
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION trades_check_orders()`);
    await queryRunner.query(`
      CREATE FUNCTION trades_keep_orders() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
          RETURN NULL;
        END IF;
        IF EXISTS (SELECT FROM trades WHERE maker_order_id = OLD.id)
           OR EXISTS (SELECT FROM trades WHERE taker_order_id = OLD.id) THEN
          RAISE EXCEPTION 'order % is still named by trades', OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'trades_match_orders';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER orders_referenced_by_trades AFTER DELETE OR UPDATE OF id ON orders
        FOR EACH ROW EXECUTE FUNCTION trades_keep_orders()`);

    await queryRunner.query(`DROP INDEX ledger_entries_user_asset_idx`);
    await queryRunner.query(`DROP INDEX trades_symbol_time_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX trades_symbol_time_idx ON trades (symbol, executed_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX ledger_entries_user_asset_idx ON ledger_entries (user_id, asset, id)`,
    );

    await queryRunner.query(`DROP TRIGGER orders_referenced_by_trades ON orders`);
    await queryRunner.query(`DROP FUNCTION trades_keep_orders()`);
    await queryRunner.query(`DROP TRIGGER trades_match_orders_on_update ON trades`);
    await queryRunner.query(`DROP TRIGGER trades_match_orders ON trades`);
    await queryRunner.query(`DROP FUNCTION trades_check_orders()`);
    await queryRunner.query(`
      ALTER TABLE trades
        ADD CONSTRAINT trades_symbol_fkey FOREIGN KEY (symbol) REFERENCES markets (symbol),
        ADD CONSTRAINT trades_maker_order_id_fkey FOREIGN KEY (maker_order_id) REFERENCES orders (id),
        ADD CONSTRAINT trades_taker_order_id_fkey FOREIGN KEY (taker_order_id) REFERENCES orders (id),
        ADD CONSTRAINT trades_maker_user_id_fkey FOREIGN KEY (maker_user_id) REFERENCES users (id),
        ADD CONSTRAINT trades_taker_user_id_fkey FOREIGN KEY (taker_user_id) REFERENCES users (id),
        ADD CONSTRAINT trades_maker_fee_asset_fkey FOREIGN KEY (maker_fee_asset) REFERENCES assets (code),
        ADD CONSTRAINT trades_taker_fee_asset_fkey FOREIGN KEY (taker_fee_asset) REFERENCES assets (code)`);

    for (const [table] of REFERENCED_BY_LEDGER) {
      await queryRunner.query(`DROP TRIGGER ${table}_referenced_by_ledger ON ${table}`);
      await queryRunner.query(`DROP FUNCTION ${table}_keep_ledger_references()`);
    }
    await queryRunner.query(`DROP TRIGGER ledger_entries_references ON ledger_entries`);
    await queryRunner.query(`DROP FUNCTION ledger_entries_check_references()`);
    await queryRunner.query(`
      ALTER TABLE ledger_entries
        ADD CONSTRAINT ledger_entries_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        ADD CONSTRAINT ledger_entries_asset_fkey FOREIGN KEY (asset) REFERENCES assets (code)`);

    await queryRunner.query(`DROP TRIGGER ledger_journal_balanced ON ledger_entries`);
    await queryRunner.query(`DROP FUNCTION ledger_check_journal_balanced_once()`);
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER ledger_journal_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced()`);
  }
}
