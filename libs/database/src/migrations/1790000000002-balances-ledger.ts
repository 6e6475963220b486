import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Balances and the double-entry ledger behind them.
 *
 * Every change to a balance is recorded as ledger entries that share a `journal_id` and sum to
 * zero per asset. A deferred constraint trigger checks that sum when the transaction commits,
 * so a journal may be written row by row but can never commit unbalanced. To keep the check
 * linear in the number of entries, it remembers (transaction-locally) the last journal it
 * checked and the highest entry id that check saw, and skips entries already covered.
 * Entries are append-only: corrections are new journals, never edits.
 */
export class BalancesLedger1790000000002 implements MigrationInterface {
  name = 'BalancesLedger1790000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE balances (
        user_id uuid NOT NULL REFERENCES users (id),
        asset text NOT NULL REFERENCES assets (code),
        available numeric(38, 0) NOT NULL DEFAULT 0
          CONSTRAINT balances_available_non_negative CHECK (available >= 0),
        locked numeric(38, 0) NOT NULL DEFAULT 0
          CONSTRAINT balances_locked_non_negative CHECK (locked >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, asset)
      )`);
    await queryRunner.query(`
      CREATE TABLE ledger_entries (
        id bigserial PRIMARY KEY,
        journal_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES users (id),
        account text NOT NULL CHECK (account IN ('AVAILABLE', 'LOCKED', 'FEES', 'EXTERNAL')),
        asset text NOT NULL REFERENCES assets (code),
        amount numeric(38, 0) NOT NULL,
        reason text NOT NULL CHECK (
          reason IN ('DEPOSIT', 'WITHDRAWAL', 'LOCK', 'UNLOCK', 'TRADE', 'FEE', 'DUST', 'ADJUSTMENT')
        ),
        ref_type text,
        ref_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX ledger_entries_journal_idx ON ledger_entries (journal_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX ledger_entries_user_asset_idx ON ledger_entries (user_id, asset, id)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION ledger_check_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        checked text[] := string_to_array(current_setting('exchange.ledger_checked', true), ':');
        unbalanced record;
        max_id bigint;
      BEGIN
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
    await queryRunner.query(`
      CREATE CONSTRAINT TRIGGER ledger_journal_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_journal_balanced()`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only: write a correcting journal instead'
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);
    // Deposits (positive) and withdrawals (negative) seen from the exchange: the EXTERNAL side
    // of their journals, sign flipped.
    await queryRunner.query(`
      CREATE VIEW external_transfers AS
        SELECT id, journal_id, user_id, asset, -amount AS amount, reason, ref_type, ref_id, created_at
        FROM ledger_entries
        WHERE account = 'EXTERNAL'`);
    // What the ledger says each account holds; the auditor compares AVAILABLE and LOCKED with
    // the balances table.
    await queryRunner.query(`
      CREATE VIEW ledger_account_totals AS
        SELECT user_id, account, asset, sum(amount) AS amount
        FROM ledger_entries
        GROUP BY user_id, account, asset`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW ledger_account_totals`);
    await queryRunner.query(`DROP VIEW external_transfers`);
    await queryRunner.query(`DROP TABLE ledger_entries`);
    await queryRunner.query(`DROP FUNCTION ledger_entries_append_only()`);
    await queryRunner.query(`DROP FUNCTION ledger_check_journal_balanced()`);
    await queryRunner.query(`DROP TABLE balances`);
  }
}
