import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { createValidationPipe } from './validation';

/**
 * The HTTP conventions of order-service for every route, in any app built from its module
 * (the service and in-process tests alike): the error shape and the validation pipe.
 */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class HttpFoundationModule {}
