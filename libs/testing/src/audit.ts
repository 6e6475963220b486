import type { DataSource } from 'typeorm';
import { formatAuditReport, runAudit } from '@app/settlement';

/**
 * Runs the ledger auditor (every invariant of design.md section 4 the data can show) on a test's
 * database and fails with its printed report unless every check holds. Tests that move money end
 * with it.
 */
export async function expectAuditClean(dataSource: DataSource, context = ''): Promise<void> {
  const report = await runAudit(dataSource);
  if (!report.ok) throw new Error(`audit failed ${context}\n${formatAuditReport(report)}`);
}
