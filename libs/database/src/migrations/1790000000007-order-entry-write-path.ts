import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cheaper enforcement on order entry's write path (issue 4), enforcing the same rules as before,
 * as migration 1790000000006 did for ledger entries and trades.
 *
 * The three per-row foreign keys of orders (user, market, lock asset) run three referential
 * queries per order, each an index probe and a row lock: about a quarter of the database's CPU
 * for a batch of a thousand orders, which names one user, one market and one asset. They become:
 *
 * - one statement-level AFTER INSERT check over the statement's new rows, which takes the same
 *   KEY SHARE locks on the distinct users, markets and assets they name, then refuses the
 *   statement if any of them does not exist;
 * - a row-level AFTER UPDATE check of the same, fired only when an UPDATE sets one of those
 *   three columns (nothing does today; settlement's updates name other columns and pay nothing);
 * - a row trigger per referenced table that refuses deleting (or renumbering) a user, market or
 *   asset that orders still name.
 *
 * The locks make it as safe as the foreign keys under concurrency: a delete waits for the
 * inserting transaction's KEY SHARE lock and then sees its committed order; an insert waits for
 * a deleting transaction's row lock and then finds the row gone. Trades' own check (migration 6)
 * relies on orders naming an existing user and market: these guards keep that true.
 */
/** Tables that orders name, their key, and the orders column naming it. */
const REFERENCED_BY_ORDERS = [
  ['users', 'id', 'user_id'],
  ['markets', 'symbol', 'symbol'],
  ['assets', 'code', 'lock_asset'],
] as const;

export class OrderEntryWritePath1790000000007 implements MigrationInterface {
  name = 'OrderEntryWritePath1790000000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey,
                         DROP CONSTRAINT orders_symbol_fkey,
                         DROP CONSTRAINT orders_lock_asset_fkey`);
    await queryRunner.query(`
      CREATE FUNCTION orders_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        user_ids uuid[];
        symbols text[];
        asset_codes text[];
      BEGIN
        -- A statement names few distinct users, markets and assets: probe each once.
        SELECT array_agg(user_id) INTO user_ids FROM (SELECT DISTINCT user_id FROM inserted) d;
        SELECT array_agg(symbol) INTO symbols FROM (SELECT DISTINCT symbol FROM inserted) d;
        SELECT array_agg(lock_asset) INTO asset_codes
          FROM (SELECT DISTINCT lock_asset FROM inserted) d;
        IF user_ids IS NULL THEN
          RETURN NULL;
        END IF;
        -- Lock first, as a foreign key does: what exists now cannot be deleted until commit.
        PERFORM FROM users WHERE id = ANY (user_ids) FOR KEY SHARE;
        PERFORM FROM markets WHERE symbol = ANY (symbols) FOR KEY SHARE;
        PERFORM FROM assets WHERE code = ANY (asset_codes) FOR KEY SHARE;
        IF (SELECT count(*) FROM users WHERE id = ANY (user_ids)) <> cardinality(user_ids)
           OR (SELECT count(*) FROM markets WHERE symbol = ANY (symbols)) <> cardinality(symbols)
           OR (SELECT count(*) FROM assets WHERE code = ANY (asset_codes)) <> cardinality(asset_codes)
        THEN
          RAISE EXCEPTION 'orders name an unknown user, market or asset (users %, markets %, assets %)',
            user_ids, symbols, asset_codes
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_references';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER orders_references AFTER INSERT ON orders
        REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION orders_check_references()`);
    // A transition table cannot go with a column list, so an update that sets a reference column
    // is checked row by row, the way the foreign key did; no other update fires it.
    await queryRunner.query(`
      CREATE FUNCTION orders_check_references_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM FROM users WHERE id = NEW.user_id FOR KEY SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'order % names an unknown user %', NEW.id, NEW.user_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_references';
        END IF;
        PERFORM FROM markets WHERE symbol = NEW.symbol FOR KEY SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'order % names an unknown market %', NEW.id, NEW.symbol
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_references';
        END IF;
        PERFORM FROM assets WHERE code = NEW.lock_asset FOR KEY SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'order % names an unknown asset %', NEW.id, NEW.lock_asset
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_references';
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER orders_references_on_update
        AFTER UPDATE OF user_id, symbol, lock_asset ON orders
        FOR EACH ROW EXECUTE FUNCTION orders_check_references_row()`);
    // One guard per referenced table: a trigger function cannot name OLD's key generically.
    for (const [table, key, column] of REFERENCED_BY_ORDERS) {
      await queryRunner.query(`
        CREATE FUNCTION ${table}_keep_order_references() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.${key} = OLD.${key} THEN
            RETURN NULL;
          END IF;
          IF EXISTS (SELECT FROM orders WHERE ${column} = OLD.${key}) THEN
            RAISE EXCEPTION '${table} % is still named by orders', OLD.${key}
              USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'orders_references';
          END IF;
          RETURN NULL;
        END $$`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_referenced_by_orders AFTER DELETE OR UPDATE OF ${key} ON ${table}
          FOR EACH ROW EXECUTE FUNCTION ${table}_keep_order_references()`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of REFERENCED_BY_ORDERS) {
      await queryRunner.query(`DROP TRIGGER ${table}_referenced_by_orders ON ${table}`);
      await queryRunner.query(`DROP FUNCTION ${table}_keep_order_references()`);
    }
    await queryRunner.query(`DROP TRIGGER orders_references_on_update ON orders`);
    await queryRunner.query(`DROP FUNCTION orders_check_references_row()`);
    await queryRunner.query(`DROP TRIGGER orders_references ON orders`);
    await queryRunner.query(`DROP FUNCTION orders_check_references()`);
    await queryRunner.query(`
      ALTER TABLE orders
        ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
        ADD CONSTRAINT orders_symbol_fkey FOREIGN KEY (symbol) REFERENCES markets (symbol),
        ADD CONSTRAINT orders_lock_asset_fkey FOREIGN KEY (lock_asset) REFERENCES assets (code)`);
  }
}
