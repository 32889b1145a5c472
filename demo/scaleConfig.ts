import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ScaleConfigOptions {
  /** Accounts (partition list values 1…N). */
  accounts: number;
  /** Daily slices from 2026-01-01. */
  days: number;
  /** Client name (also its warehouse schema). */
  client?: string;
}

/**
 * Writes a config folder whose one client plans `accounts × days` work items against the demo
 * API's scale route (one tiny record each): the input of the 2,000-item end-to-end test and of
 * bench:scale. Returns the number of items it plans.
 *
 * @example
 * writeScaleConfig(dir, { accounts: 100, days: 100 }); // 10000
 */
export function writeScaleConfig(dir: string, options: ScaleConfigOptions): number {
  const client = options.client ?? 'scale';
  mkdirSync(join(dir, 'sources'), { recursive: true });
  mkdirSync(join(dir, 'clients'), { recursive: true });
  const end = new Date(Date.UTC(2026, 0, options.days)).toISOString().slice(0, 10);
  writeFileSync(
    join(dir, 'sources', 'scale_demo.yml'),
    `name: scale_demo
description: One record per account and day (demo API /scale/v1), for scale tests.
base_url: "{{ env.DIF_DEMO_API_URL }}/scale/v1"
streams:
  daily:
    partition:
      list: { account: "{{ client.accounts }}" }
      date_range: { start: "{{ client.start_date }}", end: "{{ client.end_date }}", step: P1D }
    request: { path: "/accounts/{{ partition.account }}/daily", query: { date: "{{ slice.start }}" } }
    records: $.data
    columns: { account_id: bigint, date: date, clicks: bigint }
    primary_key: [account_id, date]
    load: { table: daily, mode: append }
`,
  );
  const accounts = Array.from({ length: options.accounts }, (_, index) => String(index + 1)).join(',');
  writeFileSync(
    join(dir, 'clients', `${client}.yml`),
    `client: ${client}
warehouse: { schema: ${client} }
sources:
  scale_demo: { params: { accounts: "${accounts}", start_date: "2026-01-01", end_date: "${end}" } }
`,
  );
  return options.accounts * options.days;
}
