import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PacedConfigOptions {
  /** Accounts (partition list values 1…N), for both streams. */
  accounts: number;
  /** Daily slices of the paged stream, from 2026-01-01. */
  pagedDays: number;
  /** Pages each paged slice has. */
  pages: number;
  /** Daily slices of the report stream (one async job each), from 2026-01-01. */
  reportDays: number;
  /** The source's rate_limit: requests per second and requests in flight (the API's known limits). */
  requestsPerSecond: number;
  concurrency: number;
  /** async_job.poll.wait, in whole seconds. */
  pollWaitSeconds: number;
  /** async_job.poll.first_wait, in whole seconds (0: the first status request goes at once). */
  firstWaitSeconds?: number;
  client?: string;
}

/** Requests a paced config needs at the least: every page, and per report job a create, one status that says DONE and its rows. */
export function pacedRequests(options: PacedConfigOptions): { paged: number; jobs: number; minimum: number } {
  const paged = options.accounts * options.pagedDays * options.pages;
  const jobs = options.accounts * options.reportDays;
  return { paged, jobs, minimum: paged + 3 * jobs };
}

const dayAfter = (days: number) => new Date(Date.UTC(2026, 0, days)).toISOString().slice(0, 10);

/**
 * Writes a config folder whose one client reads the demo API's paced routes (demo/pacedRoutes.ts)
 * under a `rate_limit` equal to the limits the API is started with: a cursor-paged stream
 * (`accounts × pagedDays` items of `pages` pages) and an async report stream (`accounts ×
 * reportDays` jobs). The input of bench:extract.
 *
 * @example
 * writePacedConfig(dir, { accounts: 4, pagedDays: 5, pages: 20, reportDays: 10, requestsPerSecond: 20, concurrency: 4, pollWaitSeconds: 5 });
 */
export function writePacedConfig(dir: string, options: PacedConfigOptions): void {
  const client = options.client ?? 'paced';
  mkdirSync(join(dir, 'sources'), { recursive: true });
  mkdirSync(join(dir, 'clients'), { recursive: true });
  writeFileSync(
    join(dir, 'sources', 'paced_demo.yml'),
    `name: paced_demo
description: The demo API's paced routes under the limits it enforces (bench:extract).
base_url: "{{ env.DIF_DEMO_API_URL }}/paced/v1"
rate_limit: { requests: ${options.requestsPerSecond}, per: 1s, concurrency: ${options.concurrency} }
streams:
  daily:
    partition:
      list: { account: "{{ client.accounts }}" }
      date_range: { start: "{{ client.paged_start }}", end: "{{ client.paged_end }}", step: P1D }
    request:
      path: "/accounts/{{ partition.account }}/daily"
      query: { date: "{{ slice.start }}", pages: "${options.pages}" }
    paginate: { type: cursor, cursor: $.next_page, param: page }
    records: $.data
    columns: { account_id: bigint, date: date, page: int, row: int, clicks: bigint }
    primary_key: [account_id, date, page, row]
    load: { table: daily, mode: append }
  reports:
    partition:
      list: { account: "{{ client.accounts }}" }
      date_range: { start: "{{ client.report_start }}", end: "{{ client.report_end }}", step: P1D }
    async_job:
      create: { method: POST, path: "/accounts/{{ partition.account }}/reports", query: { date: "{{ slice.start }}" } }
      id: $.report_id
      poll:
        request: { path: "/reports/{{ job.id }}" }
        status: $.status
        running: [RUNNING]
        done: [DONE]
        wait: ${options.pollWaitSeconds}s
${
  options.firstWaitSeconds
    ? `        first_wait: ${options.firstWaitSeconds}s
`
    : ''
}      download: { request: { path: "/reports/{{ job.id }}/rows" }, records: $.data }
    records: $.data
    columns: { account_id: bigint, date: date, row: int, clicks: bigint }
    primary_key: [account_id, date, row]
    load: { table: reports, mode: append }
`,
  );
  const accounts = Array.from({ length: options.accounts }, (_, index) => String(index + 1)).join(',');
  writeFileSync(
    join(dir, 'clients', `${client}.yml`),
    `client: ${client}
warehouse: { schema: ${client} }
sources:
  paced_demo:
    params:
      accounts: "${accounts}"
      paged_start: "2026-01-01"
      paged_end: "${dayAfter(options.pagedDays)}"
      report_start: "2026-01-01"
      report_end: "${dayAfter(options.reportDays)}"
`,
  );
}
