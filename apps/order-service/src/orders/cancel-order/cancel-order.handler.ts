import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { encodeCommand, type CancelOrderCommand } from '@app/domain';
import { writeOutbox } from '@app/outbox';
import { ORDER_COLUMNS, type OrderRow } from '@app/order-entry';
import { reject, type Rejection } from '../../http/domain-rejection';
import { MarketRegistry } from '../market-registry';
import { ORDER_ENTRY_OPTIONS, type OrderEntryOptions } from '../order-entry-options';
import { OrdersTopic } from '../orders-topic';
import { uuidv7 } from '../order-ids';
import { toOrderView, type OrderView } from '../order-view';

/** Statuses of an order the engine may still hold (resting, pending, or not yet matched). */
export const LIVE_STATUSES = ['NEW', 'PENDING_TRIGGER', 'OPEN', 'PARTIALLY_FILLED'] as const;

/** Which order to cancel: by the exchange's id or by the client's own id. */
export type CancelTarget = { readonly orderId: string } | { readonly clientOrderId: string };

/**
 * Cancel goes the way of TX1: in one transaction the order is marked cancel-requested and the
 * cancel command is queued in the outbox. The engine's result, once settled, ends the order and
 * releases its funds. Another user's order answers ORDER_NOT_FOUND and changes nothing.
 */
@Injectable()
export class CancelOrderHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly markets: MarketRegistry,
    private readonly ordersTopic: OrdersTopic,
    @Inject(ORDER_ENTRY_OPTIONS) private readonly options: OrderEntryOptions,
  ) {}

  async cancel(userId: string, target: CancelTarget): Promise<OrderView | Rejection> {
    return this.inTransaction(async (runner) => {
      const [column, value] =
        'orderId' in target ? ['id', target.orderId] : ['client_order_id', target.clientOrderId];
      const rows: OrderRow[] = await runner.query(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = $1 AND ${column} = $2 FOR UPDATE`,
        [userId, value],
      );
      const row = rows[0];
      const market = row && this.markets.get(row.symbol);
      if (!row || !market)
        return reject('ORDER_NOT_FOUND', 'no order of this user has this id', {
          [column === 'id' ? 'orderId' : 'clientOrderId']: value,
        });
      if (!(LIVE_STATUSES as readonly string[]).includes(row.status)) {
        return reject('ORDER_NOT_OPEN', `the order is ${row.status} and cannot be cancelled`, {
          order: toOrderView(market, row),
        });
      }
      if (!row.cancel_requested) {
        // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, rowCount], not rows.
        const updated: OrderRow[] = await runner.query(
          `WITH u AS (UPDATE orders SET cancel_requested = true, updated_at = now() WHERE id = $1
                      RETURNING ${ORDER_COLUMNS})
           SELECT * FROM u`,
          [row.id],
        );
        const command: CancelOrderCommand = {
          type: 'cancel',
          commandId: uuidv7(),
          timestampMs: Date.now(),
          userId,
          symbol: row.symbol,
          orderId: row.id,
        };
        await this.queue(runner, [command]);
        return toOrderView(market, updated[0]);
      }
      return toOrderView(market, row);
    });
  }

  /**
   * Requests the cancellation of every live order of the user, in one market or all: the
   * orders are marked and one cancel command is queued per order not already cancel-requested
   * (packed into multi-message outbox rows like a batch's places). Returns the marked orders.
   *
   * One command per order, not the engine's cancelAll: a cancelAll's single result carries an
   * update of every order it ends, and of thousands of orders that result is one record larger
   * than the broker accepts (1 MB), which the engine cannot publish and would retry for ever.
   * Each cancel's result holds one order.
   */
  async cancelAll(userId: string, symbol: string | undefined): Promise<OrderView[] | Rejection> {
    if (symbol !== undefined && this.markets.get(symbol) === undefined) {
      return reject('UNKNOWN_MARKET', `no market has the symbol ${JSON.stringify(symbol)}`, {
        symbol,
      });
    }
    return this.inTransaction(async (runner) => {
      const rows: OrderRow[] = await runner.query(
        // Row locks are taken in id order, the order settlement locks orders in, so the two
        // can never wait on each other in a cycle.
        `WITH target AS (
           SELECT id AS target_id, cancel_requested AS was_requested FROM orders
            WHERE user_id = $1 AND status = ANY($2::text[]) AND ($3::text IS NULL OR symbol = $3)
            ORDER BY id FOR UPDATE
         ), u AS (
           UPDATE orders o SET cancel_requested = true, updated_at = now()
             FROM target WHERE o.id = target.target_id
           RETURNING ${ORDER_COLUMNS}, target.was_requested)
         SELECT * FROM u ORDER BY created_at DESC, id DESC`,
        [userId, LIVE_STATUSES, symbol ?? null],
      );
      const now = Date.now();
      // Oldest first, as one would cancel them one by one.
      const commands: CancelOrderCommand[] = rows
        .filter((row) => !(row as OrderRow & { was_requested: boolean }).was_requested)
        .reverse()
        .map((row) => ({
          type: 'cancel',
          commandId: uuidv7(now),
          timestampMs: now,
          userId,
          symbol: row.symbol,
          orderId: row.id,
        }));
      if (commands.length > 0) await this.queue(runner, commands, this.options.packBatches);
      return rows.flatMap((row) => {
        const market = this.markets.get(row.symbol);
        return market ? [toOrderView(market, row)] : [];
      });
    });
  }

  private queue(
    runner: QueryRunner,
    commands: readonly CancelOrderCommand[],
    pack = false,
  ): Promise<string[]> {
    return writeOutbox(
      runner,
      commands.map((command) => ({
        topic: this.ordersTopic.name,
        key: command.symbol,
        payload: encodeCommand(command) as object,
        commandId: command.commandId,
      })),
      { pack },
    );
  }

  private async inTransaction<T>(
    work: (runner: QueryRunner) => Promise<T | Rejection>,
  ): Promise<T | Rejection> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await work(runner);
      if ((result as Rejection).rejected === true) await runner.rollbackTransaction();
      else await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}
