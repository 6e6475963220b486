import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditHandler } from './audit.handler';

/** The operator's audit endpoint, GET /api/v1/admin/audit. */
@Module({ controllers: [AuditController], providers: [AuditHandler] })
export class AuditModule {}
