import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import {
  insertOrders,
  insertedRow,
  ORDER_COLUMNS,
  placeCommand,
  prepareOrder,
  type NewOrder,
  type OrderRow,
  type PlaceOrderInput,
  type PreparedOrder,
} from '@app/order-entry';
import type { Rejection } from '../../http/domain-rejection';
import { isClientOrderIdConflict } from '../client-order-id-conflict';
import { MarketRegistry } from '../market-registry';
import { OrdersTopic } from '../orders-topic';
import { uuidv7 } from '../order-ids';
import { insufficientFunds, orderRejection, unknownMarket } from '../order-rejections';
import { toOrderView, type OrderView } from '../order-view';

/** A placed order, and whether this call created it or found it by client order id. */
export interface PlaceOrderOutcome {
  readonly order: OrderView;
  readonly created: boolean;
}

/**
 * TX1 for one order: lock what it can spend, insert the order and its LOCK journal, queue the
 * place command in the outbox; one transaction, nothing written on any rejection. A client
 * order id the user already used returns that order instead of placing a second one.
 */
@Injectable()
export class PlaceOrderHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly markets: MarketRegistry,
    private readonly ordersTopic: OrdersTopic,
  ) {}

  async execute(userId: string, input: PlaceOrderInput): Promise<PlaceOrderOutcome | Rejection> {
    const market = this.markets.get(input.symbol);
    if (market === undefined) return unknownMarket(input.symbol);
    const prepared = prepareOrder(market, input);
    if (!prepared.ok) return orderRejection(prepared.code, prepared.field);
    if (input.clientOrderId !== undefined) {
      const existing = await this.findByClientOrderId(userId, input.clientOrderId);
      if (existing !== undefined) return existing;
    }
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const order = await this.newOrder(runner, userId, prepared.order);
      const result = order && (await insertOrders(runner, userId, [order], this.ordersTopic.name));
      if (!result || !result.placed) {
        await runner.rollbackTransaction();
        return insufficientFunds(prepared.order.lock.asset);
      }
      await runner.commitTransaction();
      return { order: toOrderView(market, insertedRow(order, result.createdAt)), created: true };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      if (isClientOrderIdConflict(error) && input.clientOrderId !== undefined) {
        const existing = await this.findByClientOrderId(userId, input.clientOrderId);
        if (existing !== undefined) return existing;
      }
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** The command with its ids and time; a lock of everything available is read (and row-locked) here. */
  private async newOrder(
    runner: QueryRunner,
    userId: string,
    prepared: PreparedOrder,
  ): Promise<NewOrder | undefined> {
    const command = placeCommand(prepared.command, {
      orderId: uuidv7(),
      userId,
      timestampMs: Date.now(),
    });
    let lockMinor: bigint;
    if (prepared.lock.amountMinor === 'ALL_AVAILABLE') {
      const rows: { available: string }[] = await runner.query(
        'SELECT available::text AS available FROM balances WHERE user_id = $1 AND asset = $2 FOR UPDATE',
        [userId, prepared.lock.asset],
      );
      lockMinor = BigInt(rows[0]?.available ?? '0');
      if (lockMinor <= 0n) return undefined;
      command.quoteCapMinor = lockMinor;
    } else {
      lockMinor = prepared.lock.amountMinor;
    }
    return { command, apiType: prepared.apiType, lockAsset: prepared.lock.asset, lockMinor };
  }

  private async findByClientOrderId(
    userId: string,
    clientOrderId: string,
  ): Promise<PlaceOrderOutcome | undefined> {
    const rows: OrderRow[] = await this.dataSource.query(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE user_id = $1 AND client_order_id = $2`,
      [userId, clientOrderId],
    );
    const market = rows[0] && this.markets.get(rows[0].symbol);
    return market ? { order: toOrderView(market, rows[0]), created: false } : undefined;
  }
}
