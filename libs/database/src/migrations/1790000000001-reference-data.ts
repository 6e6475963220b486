import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Assets, markets, users and API keys: the reference data every order refers to.
 *
 * A market's decimals are exact NUMERICs. A trigger checks that they fit the assets' scales, so
 * that one lot and one tick times one lot are whole minor units: only then is every quantity and
 * every notional an exact integer, and no rounding is hidden in the market definition itself.
 */
export class ReferenceData1790000000001 implements MigrationInterface {
  name = 'ReferenceData1790000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE assets (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{1,16}$'),
        scale smallint NOT NULL CHECK (scale BETWEEN 0 AND 18),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE markets (
        symbol text PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9]{1,16}-[A-Z0-9]{1,16}$'),
        base_asset text NOT NULL REFERENCES assets (code),
        quote_asset text NOT NULL REFERENCES assets (code),
        tick_size numeric NOT NULL CHECK (tick_size > 0),
        step_size numeric NOT NULL CHECK (step_size > 0),
        min_qty numeric NOT NULL,
        max_qty numeric NOT NULL,
        min_notional numeric NOT NULL DEFAULT 0 CHECK (min_notional >= 0),
        maker_fee_ppm integer NOT NULL DEFAULT 0 CHECK (maker_fee_ppm BETWEEN 0 AND 1000000),
        taker_fee_ppm integer NOT NULL DEFAULT 0 CHECK (taker_fee_ppm BETWEEN 0 AND 1000000),
        status text NOT NULL DEFAULT 'TRADING' CHECK (status IN ('TRADING', 'HALTED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (base_asset <> quote_asset),
        CHECK (min_qty >= step_size AND mod(min_qty, step_size) = 0),
        CHECK (max_qty >= min_qty AND mod(max_qty, step_size) = 0)
      )`);
    await queryRunner.query(`
      CREATE FUNCTION markets_check_scales() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        base_scale smallint;
        quote_scale smallint;
      BEGIN
        SELECT scale INTO STRICT base_scale FROM assets WHERE code = NEW.base_asset;
        SELECT scale INTO STRICT quote_scale FROM assets WHERE code = NEW.quote_asset;
        IF mod(NEW.step_size * 10::numeric ^ base_scale, 1) <> 0 THEN
          RAISE EXCEPTION 'market %: step_size % is finer than % scale %',
            NEW.symbol, NEW.step_size, NEW.base_asset, base_scale USING ERRCODE = 'check_violation';
        END IF;
        IF mod(NEW.tick_size * NEW.step_size * 10::numeric ^ quote_scale, 1) <> 0 THEN
          RAISE EXCEPTION 'market %: tick_size x step_size is finer than % scale %',
            NEW.symbol, NEW.quote_asset, quote_scale USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER markets_check_scales BEFORE INSERT OR UPDATE ON markets
        FOR EACH ROW EXECUTE FUNCTION markets_check_scales()`);
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
        kind text NOT NULL DEFAULT 'TRADER' CHECK (kind IN ('TRADER', 'SYSTEM')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        key_id text NOT NULL UNIQUE,
        secret_enc bytea NOT NULL CHECK (octet_length(secret_enc) > 0),
        label text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_user_idx ON api_keys (user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TABLE markets`);
    await queryRunner.query(`DROP FUNCTION markets_check_scales()`);
    await queryRunner.query(`DROP TABLE assets`);
  }
}
