import type { Command } from 'commander';
import { renderTable } from '../progress/summaryTable';
import { resolveDataDir } from '../paths';
import { UserError } from '../UserError';

/** `dif sql`: query the local warehouse (PGlite, or DATABASE_URL). */
export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('Run one SQL statement against the local warehouse and print the rows')
    .argument('<statement>', 'e.g. "select count(*) from acme.campaigns"')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--json', 'print rows as a JSON array')
    .action(async (statement: string, options: { dataDir?: string; json?: boolean }) => {
      const { openWarehouseOnly } = await import('../localRuntime/openWarehouseOnly');
      const warehouse = await openWarehouseOnly(resolveDataDir(options.dataDir), process.env.DATABASE_URL);
      try {
        const rows = await warehouse.query(statement).catch((error: unknown) => {
          throw new UserError(`SQL failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        if (options.json) {
          console.log(
            JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
          );
          return;
        }
        const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
        console.log(
          rows.length > 0
            ? renderTable(
                columns,
                rows.map((row) => columns.map((column) => formatValue(row[column]))),
              )
            : '(no rows)',
        );
        console.log(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
      } finally {
        await warehouse.close();
      }
    });
}

function formatValue(value: unknown): string | number {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
