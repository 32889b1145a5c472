import type { Command } from 'commander';
import {
  assessFreshness,
  commandOutput,
  formatDuration,
  profileOperatorPorts,
  toJson,
  type OperatorCommandOptions,
  type StreamFreshness,
} from '../operations';
import { renderTable } from '../progress/summaryTable';
import { resolveConfigDir, resolveDataDir } from '../paths';
import { UserError } from '../UserError';

interface StatusOptions {
  config?: string;
  dataDir?: string;
  client?: string;
  json?: boolean;
  strict?: boolean;
}

/**
 * Adds `dif status`: per configured client × source × stream, the last successful load, its rows,
 * its age and its freshness against the client's `sla.fresh_within`. Exits 1 when any stream is
 * late (with `--strict`, also when one was never loaded), so a scheduler can alert on it.
 *
 * @example
 * registerStatusCommand(program);
 * // dif status --client acme --json
 */
export function registerStatusCommand(program: Command, options: OperatorCommandOptions = {}): Command {
  const ports = options.ports ?? profileOperatorPorts;
  const now = options.now ?? (() => new Date());
  return program
    .command('status')
    .description(
      'Freshness per client/source/stream against the client SLA: last load, rows, age, ok/late/never (exits 1 when any is late)',
    )
    .option('--config <dir>', 'folder holding sources/ and clients/ (default: the project folder)')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--client <client>', 'only this client')
    .option('--strict', 'also exit 1 when a stream has never been loaded')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: StatusOptions) {
      const out = commandOutput(this);
      const location = { dataDir: resolveDataDir(opts.dataDir), configDir: resolveConfigDir(opts.config) };
      const { loadConfig } = await import('../../shared/config');
      const config = loadConfig(location.configDir);
      if (opts.client && !config.clients.has(opts.client)) {
        throw new UserError(
          `client "${opts.client}" is not configured in ${location.configDir}/clients; known clients: ${[...config.clients.keys()].join(', ') || '(none)'}`,
        );
      }
      const runState = await ports.openRunState(location);
      let streams: StreamFreshness[];
      try {
        streams = assessFreshness(config, await runState.listLatestLoads(), now()).filter(
          (row) => !opts.client || row.client === opts.client,
        );
      } finally {
        await runState.close();
      }
      const late = streams.filter((row) => row.state === 'late');
      const never = streams.filter((row) => row.state === 'never');
      if (opts.json) out(toJson({ checkedAt: now().toISOString(), late: late.length, never: never.length, streams }));
      else out(streams.length === 0 ? 'no enabled streams in the configuration' : renderStatus(streams));
      if (late.length > 0) {
        throw new UserError(
          `${late.length} of ${streams.length} stream(s) late: ${late.map((row) => `${row.client}/${row.source}/${row.stream}`).join(', ')}; see why with \`dif runs list\` and \`dif dlq list\``,
        );
      }
      if (opts.strict && never.length > 0) {
        throw new UserError(
          `${never.length} stream(s) never loaded: ${never.map((row) => `${row.client}/${row.source}/${row.stream}`).join(', ')}`,
        );
      }
    });
}

function renderStatus(streams: StreamFreshness[]): string {
  return renderTable(
    ['CLIENT', 'SOURCE', 'STREAM', 'LAST LOAD', 'ROWS', 'AGE', 'SLA', 'STATE'],
    streams.map((row) => [
      row.client,
      row.source,
      row.stream,
      row.lastLoadedAt ?? '-',
      row.rows,
      row.ageMs === undefined ? '-' : formatDuration(row.ageMs),
      row.freshWithin ?? '-',
      row.state.toUpperCase(),
    ]),
  );
}
