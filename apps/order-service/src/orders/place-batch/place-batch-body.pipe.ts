import { Injectable, type PipeTransform, type ValidationPipe } from '@nestjs/common';
import { createValidationPipe } from '../../http/validation';
import { PlaceBatchDto } from './place-batch.dto';
import { plainBatchBody, type PlaceBatchBody } from './place-batch-body';

/**
 * Validates the body of POST /api/v1/orders/batch. A plainly valid body (see `plainBatchBody`)
 * passes as it is; any other body goes through the global validation pipe with PlaceBatchDto,
 * which answers exactly as it would without this pipe (the same errors, or the same accepted
 * DTO). The route's parameter is typed with an interface, so the global pipe, which runs
 * first, only checks that the body is a JSON object and leaves the rest to this one.
 */
@Injectable()
export class PlaceBatchBodyPipe implements PipeTransform<unknown, Promise<PlaceBatchBody>> {
  private readonly dto: ValidationPipe = createValidationPipe();

  async transform(value: unknown): Promise<PlaceBatchBody> {
    return (
      plainBatchBody(value) ??
      ((await this.dto.transform(value, {
        type: 'body',
        metatype: PlaceBatchDto,
      })) as PlaceBatchDto)
    );
  }
}
