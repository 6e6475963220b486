import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser } from '@app/auth';
import { ApiErrors, BODY_ERRORS, TraderRoute } from '../http/api-docs';
import { orReject } from '../http/domain-rejection';
import { uuidParam } from '../http/uuid-param.pipe';
import { CancelOrderHandler } from './cancel-order/cancel-order.handler';
import { OrderView } from './order-view';
import type { PlaceBatchBody } from './place-batch/place-batch-body';
import { PlaceBatchBodyPipe } from './place-batch/place-batch-body.pipe';
import { BatchResponse, PlaceBatchDto } from './place-batch/place-batch.dto';
import { PlaceBatchHandler } from './place-batch/place-batch.handler';
import { PlaceOrderDto } from './place-order/place-order.dto';
import { PlaceOrderHandler } from './place-order/place-order.handler';
import { QueryOrdersHandler } from './query-orders/query-orders.handler';
import { ListQueryDto, OrderPage, TradePage } from './query-orders/query-orders.dto';

const ORDER_REJECTIONS = [
  'UNKNOWN_MARKET',
  'MARKET_HALTED',
  'INSUFFICIENT_FUNDS',
  'PRICE_OFF_TICK',
  'QUANTITY_OFF_STEP',
  'QUANTITY_BELOW_MIN',
  'QUANTITY_ABOVE_MAX',
  'NOTIONAL_BELOW_MIN',
  'INVALID_COMMAND',
] as const;

@ApiTags('orders')
@Controller('api/v1')
export class OrdersController {
  constructor(
    private readonly place: PlaceOrderHandler,
    private readonly batch: PlaceBatchHandler,
    private readonly cancels: CancelOrderHandler,
    private readonly queries: QueryOrdersHandler,
  ) {}

  @Post('orders')
  @TraderRoute()
  @ApiOperation({
    summary: 'Place an order (TX1: funds locked, order stored and queued for matching, atomically)',
    description:
      'Answers 201 with the new order (status NEW), or 200 with the existing order when clientOrderId was already used.',
  })
  @ApiCreatedResponse({ type: OrderView })
  @ApiOkResponse({
    type: OrderView,
    description: 'The order placed earlier with this clientOrderId',
  })
  @ApiErrors(...BODY_ERRORS, ...ORDER_REJECTIONS)
  async placeOrder(
    @CurrentUser() userId: string,
    @Body() body: PlaceOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    const outcome = orReject(await this.place.execute(userId, body));
    if (!outcome.created) void reply.status(200);
    return outcome.order;
  }

  @Post('orders/batch')
  @HttpCode(200)
  @TraderRoute()
  @ApiOperation({
    summary: 'Place up to 1,000 orders in one transaction (market makers)',
    description:
      'One result per order, in request order. Funds are checked cumulatively in request order.',
  })
  @ApiBody({ type: PlaceBatchDto })
  @ApiOkResponse({ type: BatchResponse })
  @ApiErrors(...BODY_ERRORS, 'BATCH_TOO_LARGE')
  async placeBatch(
    @CurrentUser() userId: string,
    @Body(PlaceBatchBodyPipe) body: PlaceBatchBody,
  ): Promise<BatchResponse> {
    return { results: orReject(await this.batch.execute(userId, body.orders)) };
  }

  @Delete('orders/by-client-id/:clientOrderId')
  @HttpCode(202)
  @TraderRoute()
  @ApiOperation({ summary: 'Request the cancellation of an order by its client order id' })
  @ApiAcceptedResponse({ type: OrderView })
  @ApiErrors('ORDER_NOT_FOUND', 'ORDER_NOT_OPEN')
  async cancelByClientId(
    @CurrentUser() userId: string,
    @Param('clientOrderId') clientOrderId: string,
  ): Promise<OrderView> {
    return orReject(await this.cancels.cancel(userId, { clientOrderId }));
  }

  @Delete('orders/:orderId')
  @HttpCode(202)
  @TraderRoute()
  @ApiOperation({
    summary: 'Request the cancellation of an order; funds are released when the engine confirms',
  })
  @ApiAcceptedResponse({ type: OrderView })
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND', 'ORDER_NOT_OPEN')
  async cancelOrder(
    @CurrentUser() userId: string,
    @Param('orderId', uuidParam('orderId')) orderId: string,
  ): Promise<OrderView> {
    return orReject(await this.cancels.cancel(userId, { orderId }));
  }

  @Delete('orders')
  @HttpCode(202)
  @TraderRoute()
  @ApiOperation({
    summary: 'Request the cancellation of all open orders, optionally of one market',
  })
  @ApiQuery({ name: 'symbol', required: false, example: 'BTC-USDT' })
  @ApiAcceptedResponse({ type: OrderView, isArray: true })
  @ApiErrors('UNKNOWN_MARKET')
  async cancelAll(
    @CurrentUser() userId: string,
    @Query('symbol') symbol?: string,
  ): Promise<OrderView[]> {
    return orReject(await this.cancels.cancelAll(userId, symbol));
  }

  @Get('orders/open')
  @TraderRoute()
  @ApiOperation({ summary: 'Open orders (newest first, cursor pagination)' })
  @ApiOkResponse({ type: OrderPage })
  @ApiErrors('VALIDATION_FAILED')
  async openOrders(
    @CurrentUser() userId: string,
    @Query() query: ListQueryDto,
  ): Promise<OrderPage> {
    return orReject(await this.queries.open(userId, query));
  }

  @Get('orders/history')
  @TraderRoute()
  @ApiOperation({ summary: 'All orders, open and closed (newest first, cursor pagination)' })
  @ApiOkResponse({ type: OrderPage })
  @ApiErrors('VALIDATION_FAILED')
  async orderHistory(
    @CurrentUser() userId: string,
    @Query() query: ListQueryDto,
  ): Promise<OrderPage> {
    return orReject(await this.queries.history(userId, query));
  }

  @Get('orders/:orderId')
  @TraderRoute()
  @ApiOperation({ summary: 'One of your orders' })
  @ApiOkResponse({ type: OrderView })
  @ApiErrors('VALIDATION_FAILED', 'ORDER_NOT_FOUND')
  async getOrder(
    @CurrentUser() userId: string,
    @Param('orderId', uuidParam('orderId')) orderId: string,
  ): Promise<OrderView> {
    return orReject(await this.queries.one(userId, orderId));
  }

  @Get('trades/mine')
  @TraderRoute()
  @ApiOperation({ summary: 'Your trades (newest first, cursor pagination)' })
  @ApiOkResponse({ type: TradePage })
  @ApiErrors('VALIDATION_FAILED')
  async myTrades(@CurrentUser() userId: string, @Query() query: ListQueryDto): Promise<TradePage> {
    return orReject(await this.queries.trades(userId, query));
  }
}
