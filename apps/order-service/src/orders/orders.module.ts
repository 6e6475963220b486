import { Module } from '@nestjs/common';
import { CancelOrderHandler } from './cancel-order/cancel-order.handler';
import { MarketRegistry } from './market-registry';
import { OrdersController } from './orders.controller';
import { OrdersTopic } from './orders-topic';
import { PlaceBatchHandler } from './place-batch/place-batch.handler';
import { PlaceOrderHandler } from './place-order/place-order.handler';
import { QueryOrdersHandler } from './query-orders/query-orders.handler';

/** Order entry (TX1 for place, batch and cancel) and the trader's order and trade queries. */
@Module({
  controllers: [OrdersController],
  providers: [
    MarketRegistry,
    OrdersTopic,
    PlaceOrderHandler,
    PlaceBatchHandler,
    CancelOrderHandler,
    QueryOrdersHandler,
  ],
  exports: [MarketRegistry, OrdersTopic, PlaceOrderHandler, PlaceBatchHandler, CancelOrderHandler],
})
export class OrdersModule {}
