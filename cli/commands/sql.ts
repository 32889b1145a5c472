import type { Command } from 'commander';
import { renderTable } from '../progress/summaryTable';
import { resolveDataDir } from '../paths';
import { commandOutput } from '../operations/commandOutput';
import { uniqueColumnNames } from '../operations/uniqueColumnNames';
import { UserError } from '../UserError';

/**
 * `dif sql`: query the local warehouse (PGlite, or DATABASE_URL). Every column is printed, also
 * when several share a name (`sum`, `sum`): the later ones are called `sum_2`, `sum_3`…
 */
export function registerSqlCommand(program: Command): void {
  program
    .command('sql')
    .description('Run one SQL statement against the local warehouse and print the rows')
    .argument('<statement>', 'e.g. "select count(*) from acme.campaigns"')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--json', 'print rows as a JSON array of objects (a repeated column name gets _2, _3…)')
    .action(async (statement: string, options: { dataDir?: string; json?: boolean }, command: Command) => {
      const { openWarehouseOnly } = await import('../../profiles/local/openWarehouseOnly');
      const out = commandOutput(command);
      const warehouse = await openWarehouseOnly(resolveDataDir(options.dataDir), process.env.DATABASE_URL);
      try {
        const result = await warehouse.queryTable(statement).catch((error: unknown) => {
          throw new UserError(`SQL failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        const columns = uniqueColumnNames(result.columns);
        if (options.json) {
          const rows = result.rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
          out(JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
          return;
        }
        out(
          result.rows.length > 0
            ? renderTable(
                columns,
                result.rows.map((row) => row.map(formatValue)),
              )
            : '(no rows)',
        );
        out(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
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
