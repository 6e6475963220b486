import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditViolationsGauge, runAudit, type AuditReport } from '@app/settlement';

/** Runs the auditor on the service's database and publishes its result as a gauge. */
@Injectable()
export class AuditHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<AuditReport> {
    const report = await runAudit(this.dataSource);
    auditViolationsGauge().set(report.violations);
    return report;
  }
}
