import type { Command } from 'commander';
import {
  assessFreshness,
  commandOutput,
  formatDuration,
  profileOperatorPorts,
  toJson,
  type OperatorCommandOptions,
  type StreamFreshness,
  type StreamGaps,
} from '../operations';
import { renderTable } from '../progress/summaryTable';
import { PROJECT_ROOT, resolveConfigDir, resolveDataDir } from '../paths';
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
 * its age and its freshness against the client's `sla.fresh_within`, and its gaps (partitions that
 * failed and never loaded, with the last error). Exits 1 when any stream is late or has gaps
 * (with `--strict`, also when one was never loaded), so a scheduler can alert on it.
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
      'Freshness per client/source/stream against the client SLA (last load, rows, age, ok/late/never) and gaps: partitions that never loaded, with their last error (exits 1 when any stream is late or has gaps)',
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
      const config = loadConfig(location.configDir, { shippedCatalogParent: PROJECT_ROOT });
      if (opts.client && !config.clients.has(opts.client)) {
        throw new UserError(
          `client "${opts.client}" is not configured in ${location.configDir}/clients; known clients: ${[...config.clients.keys()].join(', ') || '(none)'}`,
        );
      }
      const runState = await ports.openRunState(location);
      let streams: (StreamFreshness & { gaps: StreamGaps['gaps'] })[];
      try {
        const { assessGaps } = await import('../operations/assessGaps');
        const gaps = await assessGaps(config, runState, now(), { client: opts.client });
        const gapsOf = (row: StreamFreshness) =>
          gaps.find((entry) => streamName(entry) === streamName(row))?.gaps ?? [];
        streams = assessFreshness(config, await runState.listLatestLoads(), now())
          .filter((row) => !opts.client || row.client === opts.client)
          .map((row) => ({ ...row, gaps: gapsOf(row) }));
      } finally {
        await runState.close();
      }
      const late = streams.filter((row) => row.state === 'late');
      const never = streams.filter((row) => row.state === 'never');
      const gapCount = streams.reduce((sum, row) => sum + row.gaps.length, 0);
      if (opts.json)
        out(
          toJson({ checkedAt: now().toISOString(), late: late.length, never: never.length, gaps: gapCount, streams }),
        );
      else out(streams.length === 0 ? 'no enabled streams in the configuration' : renderStatus(streams));
      const problems: string[] = [];
      if (late.length > 0)
        problems.push(
          `${late.length} of ${streams.length} stream(s) late: ${late.map(streamName).join(', ')}; see why with \`dif runs list\` and \`dif dlq list\``,
        );
      if (gapCount > 0)
        problems.push(
          `${gapCount} partition(s) never loaded in ${streams
            .filter((row) => row.gaps.length > 0)
            .map(streamName)
            .join(', ')}; the next \`dif run\` plans them again (or re-pull a window with \`dif backfill\`)`,
        );
      if (opts.strict && never.length > 0)
        problems.push(`${never.length} stream(s) never loaded: ${never.map(streamName).join(', ')}`);
      if (problems.length > 0) throw new UserError(problems.join('\n'));
    });
}

function streamName(row: { client: string; source: string; stream: string }): string {
  return `${row.client}/${row.source}/${row.stream}`;
}

/** At most this many gaps per stream are spelled out; the rest are counted (`--json` has all). */
const GAPS_SHOWN = 10;

function renderStatus(streams: (StreamFreshness & { gaps: StreamGaps['gaps'] })[]): string {
  const table = renderTable(
    ['CLIENT', 'SOURCE', 'STREAM', 'LAST LOAD', 'ROWS', 'AGE', 'SLA', 'STATE', 'GAPS'],
    streams.map((row) => [
      row.client,
      row.source,
      row.stream,
      row.lastLoadedAt ?? '-',
      row.rows,
      row.ageMs === undefined ? '-' : formatDuration(row.ageMs),
      row.freshWithin ?? '-',
      row.state.toUpperCase(),
      row.gaps.length,
    ]),
  );
  const gapLines = streams
    .filter((row) => row.gaps.length > 0)
    .flatMap((row) => [
      `\n${streamName(row)}: ${row.gaps.length} partition(s) never loaded`,
      ...row.gaps
        .slice(0, GAPS_SHOWN)
        .map(
          (gap) =>
            `  ${gap.partition}  (failed ${gap.failedAt ?? '?'}, run ${gap.failedRunId ?? '?'}): ${gap.error ?? 'no error recorded'}`,
        ),
      ...(row.gaps.length > GAPS_SHOWN ? [`  …and ${row.gaps.length - GAPS_SHOWN} more (dif status --json)`] : []),
    ]);
  return [table, ...gapLines].join('\n');
}
