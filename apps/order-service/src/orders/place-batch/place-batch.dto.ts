import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { BATCH_ORDERS_MAX } from '../orders.constants';
import { PlaceOrderDto } from '../place-order/place-order.dto';

/** Body of POST /api/v1/orders/batch. */
export class PlaceBatchDto {
  @ApiProperty({ type: PlaceOrderDto, isArray: true, maxItems: BATCH_ORDERS_MAX, minItems: 1 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_ORDERS_MAX, { message: `a batch holds at most ${BATCH_ORDERS_MAX} orders` })
  @ValidateNested({ each: true })
  @Type(() => PlaceOrderDto)
  orders!: PlaceOrderDto[];
}

/** One result of a batch: the order's id when placed (or placed before), the reason when not. */
export class BatchItemView {
  @ApiProperty({ description: 'Position in the request' }) index!: number;
  @ApiProperty({
    enum: ['ACCEPTED', 'EXISTING', 'REJECTED'],
    description:
      'ACCEPTED: placed by this request (status NEW). EXISTING: the clientOrderId was already used; orderId is that order. REJECTED: nothing was written for this entry.',
  })
  status!: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'ACCEPTED and EXISTING; GET /api/v1/orders/{orderId} shows the order',
  })
  orderId?: string;
  @ApiProperty({ nullable: true, type: String, description: 'As sent, or null' })
  clientOrderId!: string | null;
  @ApiPropertyOptional({ description: 'Why it was rejected (same codes as single orders)' })
  code?: string;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional({ type: Object }) details?: Record<string, unknown>;
}

export class BatchResponse {
  @ApiProperty({ type: BatchItemView, isArray: true }) results!: BatchItemView[];
}
