import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  insertOrders,
  placeCommand,
  prepareOrder,
  type NewOrder,
  type PlaceOrderInput,
  type PreparedOrder,
} from '@app/order-entry';
import { isRejection, reject, type Rejection } from '../../http/domain-rejection';
import { isClientOrderIdConflict } from '../client-order-id-conflict';
import { MarketRegistry } from '../market-registry';
import { ORDER_ENTRY_OPTIONS, type OrderEntryOptions } from '../order-entry-options';
import { OrdersTopic } from '../orders-topic';
import { uuidv7 } from '../order-ids';
import { insufficientFunds, orderRejection, unknownMarket } from '../order-rejections';
import { BATCH_ORDERS_MAX } from '../orders.constants';

/**
 * One entry of a batch response, in request order: the order's id, not its full view (a market
 * maker knows what it sent; `GET /api/v1/orders/:orderId` shows the rest). Building and
 * serializing a thousand full views was a sixth of the service's CPU per batch.
 */
export type BatchItemOutcome =
  | {
      readonly index: number;
      readonly status: 'ACCEPTED' | 'EXISTING';
      readonly orderId: string;
      readonly clientOrderId: string | null;
    }
  | {
      readonly index: number;
      readonly status: 'REJECTED';
      readonly code: string;
      readonly message: string;
      readonly details?: Record<string, unknown>;
      readonly clientOrderId: string | null;
    };

type Slot = { prepared: PreparedOrder } | { outcome: BatchItemOutcome };

/**
 * Batch TX1 for market makers: every order is checked on its own; funds are checked
 * cumulatively in request order (an order the balance cannot cover is rejected, and later,
 * smaller ones may still fit); all accepted orders, their locks, journals and outbox rows are
 * written in ONE transaction with multi-row statements. A client order id already used returns
 * that order (also when a concurrent request commits it first: the batch is then written
 * again, funds untouched by the attempt that lost); one repeated inside the batch is rejected.
 */
@Injectable()
export class PlaceBatchHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly markets: MarketRegistry,
    private readonly ordersTopic: OrdersTopic,
    @Inject(ORDER_ENTRY_OPTIONS) private readonly options: OrderEntryOptions,
  ) {}

  async execute(
    userId: string,
    inputs: readonly PlaceOrderInput[],
  ): Promise<BatchItemOutcome[] | Rejection> {
    if (inputs.length === 0 || inputs.length > BATCH_ORDERS_MAX) {
      return reject('BATCH_TOO_LARGE', `a batch holds 1 to ${BATCH_ORDERS_MAX} orders`, {
        max: BATCH_ORDERS_MAX,
        given: inputs.length,
      });
    }
    const prepared = inputs.map((input, index) => this.prepare(index, input));
    const clientOrderIds = new Set(inputs.map((input) => input.clientOrderId));
    clientOrderIds.delete(undefined);
    // A conflict means another request committed one of this batch's client order ids after it
    // was looked up; the transaction rolled back, and the next lookup answers that id with the
    // existing order. Each retry so settles at least one id: at most one retry per id.
    for (let attempt = 0; ; attempt += 1) {
      const slots = [...prepared];
      await this.resolveClientOrderIds(userId, inputs, slots);
      try {
        await this.write(userId, slots);
      } catch (error) {
        if (isClientOrderIdConflict(error) && attempt < clientOrderIds.size) continue;
        throw error;
      }
      return slots.map((slot) => {
        if ('outcome' in slot) return slot.outcome;
        throw new Error('batch slot left without an outcome');
      });
    }
  }

  /**
   * The transaction: funds checked cumulatively in request order under the balance row locks,
   * then every accepted order written at once. Fills in the outcome of every prepared slot.
   */
  private async write(userId: string, slots: Slot[]): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const assets = [
        ...new Set(slots.flatMap((slot) => ('prepared' in slot ? [slot.prepared.lock.asset] : []))),
      ].sort();
      const balances: { asset: string; available: string }[] = await runner.query(
        `SELECT asset, available::text AS available FROM balances
          WHERE user_id = $1 AND asset = ANY($2::text[]) ORDER BY asset FOR UPDATE`,
        [userId, assets],
      );
      const available = new Map(balances.map((row) => [row.asset, BigInt(row.available)]));
      const accepted: { index: number; order: NewOrder }[] = [];
      const timestampMs = Date.now();
      slots.forEach((slot, index) => {
        if (!('prepared' in slot)) return;
        const { lock } = slot.prepared;
        const free = available.get(lock.asset) ?? 0n;
        const lockMinor = lock.amountMinor === 'ALL_AVAILABLE' ? free : lock.amountMinor;
        if (lockMinor <= 0n || lockMinor > free) {
          slots[index] = {
            outcome: rejected(
              index,
              slot.prepared.command.clientOrderId,
              insufficientFunds(lock.asset),
            ),
          };
          return;
        }
        available.set(lock.asset, free - lockMinor);
        accepted.push({ index, order: newOrder(userId, slot.prepared, lockMinor, timestampMs) });
      });
      if (accepted.length > 0) {
        const result = await insertOrders(
          runner,
          userId,
          accepted.map((a) => a.order),
          this.ordersTopic.name,
          this.options.packBatches,
        );
        if (!result.placed)
          throw new Error('batch TX1 lost its row locks: a balance changed under FOR UPDATE');
        for (const { index, order } of accepted) {
          slots[index] = {
            outcome: {
              index,
              status: 'ACCEPTED',
              orderId: order.command.orderId,
              clientOrderId: order.command.clientOrderId ?? null,
            },
          };
        }
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private prepare(index: number, input: PlaceOrderInput): Slot {
    const market = this.markets.get(input.symbol);
    if (market === undefined) {
      return { outcome: rejected(index, input.clientOrderId, unknownMarket(input.symbol)) };
    }
    const prepared = prepareOrder(market, input);
    return prepared.ok
      ? { prepared: prepared.order }
      : {
          outcome: rejected(
            index,
            input.clientOrderId,
            orderRejection(prepared.code, prepared.field),
          ),
        };
  }

  /** Existing client order ids answer with their order; repeats inside the batch are rejected. */
  private async resolveClientOrderIds(
    userId: string,
    inputs: readonly PlaceOrderInput[],
    slots: Slot[],
  ): Promise<void> {
    const ids = inputs
      .map((input) => input.clientOrderId)
      .filter((id): id is string => id !== undefined);
    if (ids.length === 0) return;
    const rows: { id: string; client_order_id: string }[] = await this.dataSource.query(
      `SELECT id::text AS id, client_order_id FROM orders
        WHERE user_id = $1 AND client_order_id = ANY($2::text[])`,
      [userId, ids],
    );
    const existing = new Map(rows.map((row) => [row.client_order_id, row.id]));
    const seen = new Set<string>();
    inputs.forEach((input, index) => {
      const id = input.clientOrderId;
      if (id === undefined) return;
      const orderId = existing.get(id);
      if (orderId !== undefined) {
        slots[index] = { outcome: { index, status: 'EXISTING', orderId, clientOrderId: id } };
      } else if (seen.has(id) && 'prepared' in slots[index]) {
        slots[index] = {
          outcome: rejected(
            index,
            id,
            reject('DUPLICATE_CLIENT_ORDER_ID', `clientOrderId ${id} appears twice in the batch`),
          ),
        };
      }
      seen.add(id);
    });
  }
}

function rejected(
  index: number,
  clientOrderId: string | undefined,
  rejection: Rejection,
): BatchItemOutcome {
  if (!isRejection(rejection)) throw new Error('not a rejection');
  return {
    index,
    status: 'REJECTED',
    code: String(rejection.code),
    message: rejection.message,
    details: rejection.details,
    clientOrderId: clientOrderId ?? null,
  };
}

function newOrder(
  userId: string,
  prepared: PreparedOrder,
  lockMinor: bigint,
  timestampMs: number,
): NewOrder {
  const command = placeCommand(prepared.command, {
    orderId: uuidv7(timestampMs),
    userId,
    timestampMs,
  });
  if (prepared.lock.amountMinor === 'ALL_AVAILABLE') command.quoteCapMinor = lockMinor;
  return { command, apiType: prepared.apiType, lockAsset: prepared.lock.asset, lockMinor };
}
