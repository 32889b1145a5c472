/**
 * Issue 17: a raw object over `transform.split_bytes` is transformed as line-aligned byte ranges
 * on worker threads, through the whole local pipeline (state machine, queues, transformer,
 * loader, warehouse). Each stream below exists twice, once split into ranges of a few KiB and once
 * whole: the warehouse must hold the same rows for both — duplicated keys merged to the last
 * record in source order, rejects quarantined alike — and each item must be one batch in the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRunOutcome, LocalRuntime } from '../../profiles/local/LocalRuntime';
import type { ItemRecord } from '../../shared/ports';
import { oneSourceRun, type OneSourceRun } from '../support/oneSourceRun';

/** JSON lines: 700 keys seen several times each (merge keeps the last), a broken line and an uncastable value now and then. */
function events(): string {
  let text = '';
  for (let n = 1; n <= 3000; n++) {
    if (n % 211 === 0) text += `{"id": ${n}, "broken\n`;
    else if (n % 157 === 0) text += `${JSON.stringify({ id: n % 700, clicks: 'lots', note: 'bad' })}\n`;
    else text += `${JSON.stringify({ id: n % 700, clicks: n, note: `seen ${n} ${'x'.repeat(n % 90)}` })}\n`;
  }
  return text;
}

/** CSV with a title line to skip and quoted line breaks in every third row. */
function report(): string {
  const rows = Array.from({ length: 2000 }, (_, i) =>
    i % 3 === 0 ? `${i},"line one\nline ""two""",${i * 2}` : `${i},plain ${i},${i * 2}`,
  );
  return `Daily report\nid,label,value\n${rows.join('\n')}\n`;
}

const STREAM = (name: string, path: string, split: boolean, body: string) => `  ${name}:
    request: { path: /${path} }
${body}    transform: { split_bytes: ${split ? 8192 : 0} }
`;
const EVENTS = `    format: { type: jsonl }
    columns: { id: bigint, clicks: bigint, note: varchar(200) }
    primary_key: [id]
    load: { table: TABLE, mode: merge }
`;
const REPORT = `    format: { type: csv, skip_lines: 1 }
    columns: { id: bigint, label: varchar(100), value: bigint }
    load: { table: TABLE }
`;

const SOURCE = `name: bulk
base_url: "{{ env.DIF_DEMO_API_URL }}/bulk"
streams:
${STREAM('events_split', 'events', true, EVENTS.replace('TABLE', 'events_split'))}${STREAM('events_whole', 'events', false, EVENTS.replace('TABLE', 'events_whole'))}${STREAM('report_split', 'report', true, REPORT.replace('TABLE', 'report_split'))}${STREAM('report_whole', 'report', false, REPORT.replace('TABLE', 'report_whole'))}`;

describe('a large raw object split into byte ranges, end to end on the local profile', () => {
  let run: OneSourceRun;
  let runtime: LocalRuntime;
  let outcome: LocalRunOutcome;
  let items: Map<string, ItemRecord>;

  beforeAll(async () => {
    run = await oneSourceRun({
      prefix: 'dif-split-',
      source: 'bulk',
      sourceYaml: SOURCE,
      faults: [
        { path: '/bulk/events', kind: 'status', status: 200, body: events(), times: 1000 },
        { path: '/bulk/report', kind: 'status', status: 200, body: report(), times: 1000 },
      ],
      itemTimeoutMs: 120_000,
    });
    ({ runtime, outcome, items } = run);
  }, 240_000);

  afterAll(async () => {
    await run?.close();
  });

  const rows = (table: string) => runtime.ctx.ports.warehouse.query(`select * from c.${table} order by id`);

  it('loads every item, split or not', () => {
    expect(outcome.result.status, JSON.stringify([...items.values()])).toBe('succeeded');
    for (const stream of ['events_split', 'events_whole', 'report_split', 'report_whole'])
      expect(items.get(stream), stream).toMatchObject({ stage: 'loaded' });
  });

  it('transformed the split streams as several ranges, the whole ones as one piece', async () => {
    const pieces = async (stream: string) =>
      (await runtime.ctx.ports.objectStore.list(`clean/c/bulk/${stream}/`)).filter((object) =>
        /-r\d{4}-manifest\.json$/.test(object.key),
      ).length;
    expect(await pieces('events_split')).toBeGreaterThan(10);
    expect(await pieces('report_split')).toBeGreaterThan(5);
    expect(await pieces('events_whole')).toBe(0);
    // On the profile's worker threads: fanned out through the queue, each piece would store a result.
    const results = await runtime.ctx.ports.objectStore.list('clean/c/bulk/events_split/');
    expect(results.filter((object) => object.key.endsWith('-result.json'))).toEqual([]);
  });

  it('holds the same warehouse rows for the split and the whole transform, the last record of each key kept', async () => {
    const split = await rows('events_split');
    expect(split).toHaveLength(700);
    expect(split).toEqual(await rows('events_whole'));
    // Key 1's last record is n = 2801 (n % 700 = 1; 2801 is neither broken nor bad).
    expect(split[1]).toMatchObject({ clicks: 2801 });
    const report = await rows('report_split');
    expect(report).toHaveLength(2000);
    expect(report).toEqual(await rows('report_whole'));
    expect(report[3]).toMatchObject({ label: 'line one\nline "two"' });
  });

  it('counts and quarantines the same rejects, and loads each split item as one batch', async () => {
    const split = items.get('events_split')!;
    const whole = items.get('events_whole')!;
    expect(split.recordsRejected).toBeGreaterThan(20);
    expect(split).toMatchObject({ recordsIn: whole.recordsIn, recordsRejected: whole.recordsRejected });
    const quarantined = async (item: ItemRecord) => {
      const chunks: Buffer[] = [];
      const key = `quarantine/c/bulk/${item.stream}/run=${outcome.runId}/${item.itemId}.jsonl`;
      for await (const chunk of await runtime.ctx.ports.objectStore.get(key)) chunks.push(chunk as Buffer);
      // The raw object keys differ (one per stream); the record numbers and reasons must not.
      return Buffer.concat(chunks)
        .toString('utf8')
        .split('\n')
        .map((line) => line.replace(/"object":"[^"]+"/, ''));
    };
    expect(await quarantined(split)).toEqual(await quarantined(whole));
    const ledger = await runtime.ctx.ports.warehouse.query(
      'select table_name, count(*)::int as batches from c.dif_load_ledger group by table_name order by table_name',
    );
    expect(ledger).toEqual([
      { table_name: 'c.events_split', batches: 1 },
      { table_name: 'c.events_whole', batches: 1 },
      { table_name: 'c.report_split', batches: 1 },
      { table_name: 'c.report_whole', batches: 1 },
    ]);
  });
});
