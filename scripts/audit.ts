// Auditor CLI: `npm run audit` (node -r @swc-node/register scripts/audit.ts [--json]).
// Checks every money invariant the database can show (libs/settlement/src/audit) on the
// database at DATABASE_URL, read-only in one snapshot, prints a report and exits 0 when clean,
// 1 on any violation, 2 when the audit itself could not run.
import { createDataSource, redactUrl } from '@app/database';
import { auditViolationsGauge, formatAuditReport, runAudit } from '@app/settlement';

const DATABASE_URL_DEFAULT = 'postgres://postgres@127.0.0.1:5432/exchange';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL || DATABASE_URL_DEFAULT;
  // No statement timeout: the checks scan the ledger, which is large on a live system.
  const dataSource = createDataSource({
    url,
    poolSizeMax: 1,
    applicationName: 'audit',
    statementTimeoutMs: 0,
  });
  await dataSource.initialize();
  try {
    const report = await runAudit(dataSource);
    auditViolationsGauge().set(report.violations);
    console.log(
      process.argv.includes('--json') ? JSON.stringify(report) : formatAuditReport(report),
    );
    return report.ok ? 0 : 1;
  } catch (error) {
    console.error(`audit of ${redactUrl(url)} could not run: ${(error as Error).message}`);
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
