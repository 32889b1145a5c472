import { PGlite } from '@electric-sql/pglite';

/**
 * PostgreSQL settings of the embedded warehouse, on top of PGlite's own start parameters.
 * PGlite keeps PostgreSQL's server defaults, sized for a database server: shared_buffers=128MB is
 * 128 MB of WebAssembly memory that PostgreSQL touches at start-up (even for `select 1`) and that
 * never shrinks; it was the largest part of a local run's resident memory. A local run loads
 * megabytes; the operating system's page cache (PGlite reads and writes real files in the data
 * directory) keeps what a smaller buffer pool drops. One session in one process: max_connections
 * only sizes shared structures. Measured by `npm run bench:local` (README, Benchmarks).
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  max_connections: '4',
};

/**
 * The start parameters PgliteWarehouse opens PGlite with (also when it initialises a new data
 * directory, which PGlite does in a second instance started with the same parameters).
 *
 * @example
 * new PGlite(dataDir, { startParams: pgliteStartParams() });
 */
export function pgliteStartParams(settings: Readonly<Record<string, string>> = PGLITE_SETTINGS): string[] {
  return [
    ...PGlite.defaultStartParams,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
}
