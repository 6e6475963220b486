import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders and the trades between them.
 *
 * Prices and quantities are integers in the market's ticks and lots (BIGINT, safe integers in
 * JS); quote amounts, locks and fees are NUMERIC(38,0) minor units. The CHECKs pin down the
 * shape of each order type and one consequence of invariant 3: an order in a final status holds
 * no lock, so releasing the remainder is never forgotten.
 */
export class OrdersTrades1790000000003 implements MigrationInterface {
  name = 'OrdersTrades1790000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        client_order_id text CHECK (length(client_order_id) BETWEEN 1 AND 64),
        symbol text NOT NULL REFERENCES markets (symbol),
        side text NOT NULL CHECK (side IN ('BUY', 'SELL')),
        type text NOT NULL CHECK (type IN ('LIMIT', 'MARKET', 'STOP_LIMIT', 'STOP_MARKET')),
        time_in_force text CHECK (time_in_force IN ('GTC', 'IOC', 'FOK')),
        post_only boolean NOT NULL DEFAULT false,
        stp text NOT NULL DEFAULT 'NONE'
          CHECK (stp IN ('NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH')),
        price_ticks bigint CHECK (price_ticks > 0),
        stop_price_ticks bigint CHECK (stop_price_ticks > 0),
        qty_lots bigint CHECK (qty_lots > 0),
        quote_amount numeric(38, 0) CHECK (quote_amount > 0),
        status text NOT NULL DEFAULT 'NEW' CHECK (
          status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED')
        ),
        cancel_requested boolean NOT NULL DEFAULT false,
        reject_code text,
        filled_lots bigint NOT NULL DEFAULT 0 CHECK (filled_lots >= 0),
        filled_quote numeric(38, 0) NOT NULL DEFAULT 0 CHECK (filled_quote >= 0),
        lock_asset text NOT NULL REFERENCES assets (code),
        locked_amount numeric(38, 0) NOT NULL DEFAULT 0
          CONSTRAINT orders_locked_amount_non_negative CHECK (locked_amount >= 0),
        fee_paid numeric(38, 0) NOT NULL DEFAULT 0 CHECK (fee_paid >= 0),
        book_seq bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- NULLs are distinct, so orders without a client id never collide.
        CONSTRAINT orders_user_client_order_id_key UNIQUE (user_id, client_order_id),
        CONSTRAINT orders_size_given CHECK ((qty_lots IS NULL) <> (quote_amount IS NULL)),
        CONSTRAINT orders_quote_amount_market_only
          CHECK (quote_amount IS NULL OR type IN ('MARKET', 'STOP_MARKET')),
        CONSTRAINT orders_limit_has_price
          CHECK (type NOT IN ('LIMIT', 'STOP_LIMIT') OR (price_ticks IS NOT NULL AND time_in_force IS NOT NULL)),
        CONSTRAINT orders_stop_has_stop_price
          CHECK ((type IN ('STOP_LIMIT', 'STOP_MARKET')) = (stop_price_ticks IS NOT NULL)),
        CONSTRAINT orders_post_only_limit_only CHECK (NOT post_only OR type IN ('LIMIT', 'STOP_LIMIT')),
        CONSTRAINT orders_filled_within_qty CHECK (qty_lots IS NULL OR filled_lots <= qty_lots),
        CONSTRAINT orders_rejected_has_code CHECK (status <> 'REJECTED' OR reject_code IS NOT NULL),
        CONSTRAINT orders_final_holds_no_lock
          CHECK (status NOT IN ('FILLED', 'CANCELLED', 'EXPIRED', 'REJECTED') OR locked_amount = 0)
      )`);
    // Live statuses: the order can still trade. One predicate for both partial indexes so that a
    // query on a subset of it (the restore query on OPEN and PARTIALLY_FILLED) can use them.
    await queryRunner.query(`
      CREATE INDEX orders_user_live_idx ON orders (user_id, created_at DESC)
        WHERE status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED')`);
    await queryRunner.query(
      `CREATE INDEX orders_user_history_idx ON orders (user_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(`
      CREATE INDEX orders_symbol_book_idx ON orders (symbol, book_seq)
        WHERE status IN ('NEW', 'OPEN', 'PARTIALLY_FILLED')`);

    await queryRunner.query(`
      CREATE TABLE trades (
        id bigserial PRIMARY KEY,
        symbol text NOT NULL REFERENCES markets (symbol),
        trade_seq bigint NOT NULL CHECK (trade_seq > 0),
        price_ticks bigint NOT NULL CHECK (price_ticks > 0),
        qty_lots bigint NOT NULL CHECK (qty_lots > 0),
        quote_amount numeric(38, 0) NOT NULL CHECK (quote_amount > 0),
        maker_order_id uuid NOT NULL REFERENCES orders (id),
        taker_order_id uuid NOT NULL REFERENCES orders (id),
        maker_user_id uuid NOT NULL REFERENCES users (id),
        taker_user_id uuid NOT NULL REFERENCES users (id),
        taker_side text NOT NULL CHECK (taker_side IN ('BUY', 'SELL')),
        maker_fee numeric(38, 0) NOT NULL DEFAULT 0 CHECK (maker_fee >= 0),
        taker_fee numeric(38, 0) NOT NULL DEFAULT 0 CHECK (taker_fee >= 0),
        maker_fee_asset text NOT NULL REFERENCES assets (code),
        taker_fee_asset text NOT NULL REFERENCES assets (code),
        executed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT trades_symbol_trade_seq_key UNIQUE (symbol, trade_seq),
        CHECK (maker_order_id <> taker_order_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX trades_maker_user_idx ON trades (maker_user_id, executed_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX trades_taker_user_idx ON trades (taker_user_id, executed_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX trades_symbol_time_idx ON trades (symbol, executed_at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX trades_maker_order_idx ON trades (maker_order_id)`);
    await queryRunner.query(`CREATE INDEX trades_taker_order_idx ON trades (taker_order_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE trades`);
    await queryRunner.query(`DROP TABLE orders`);
  }
}
