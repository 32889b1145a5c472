/**
 * Issue 14 §4: payloads that hold no records used to end as a successful item with 0 rows. Here an
 * API answers 200 with each of them and the whole local pipeline runs: every one is now a failed
 * item saying what, where and what to do, or — where the stream says an empty answer is normal —
 * a loaded item counted as `empty`, with a warning in the run summary, `dif run` and `dif runs show`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRunOutcome, LocalRuntime } from '../../profiles/local/LocalRuntime';
import { buildProgram } from '../../cli/main';
import { renderRunSummary } from '../../cli/progress/summaryTable';
import type { RunSummary } from '../../services/runs/handlers/finalize';
import type { ItemRecord } from '../../shared/ports';
import { tallyItems } from '../../shared/runState';
import { runCli } from '../cli/support/runCli';
import { oneSourceRun, type OneSourceRun } from '../support/oneSourceRun';

/** Path → what the API answers there (status 200, JSON content type). */
const ANSWERS: Record<string, string> = {
  zeros: '\u0000'.repeat(4096),
  missing: '{"meta":{"next":null}}',
  null: '{"data":null}',
  string: '{"data":"oops"}',
  empty: '{"data":[]}',
  always: '{"data":[]}',
  absent: '{"meta":{}}',
  ok: '{"data":[{"id":"1"}]}',
};

const SOURCE = `name: hostile
base_url: "{{ env.DIF_DEMO_API_URL }}/hostile"
streams:
${Object.keys(ANSWERS)
  .map(
    (name) => `  ${name}_stream:
    request: { path: /${name} }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: t_${name} }
${name === 'always' ? '    expect_records: always\n' : ''}${name === 'absent' ? '    expect_records: allow_missing\n' : ''}`,
  )
  .join('')}  children_of_string:
    parent: { stream: string_stream, fields: { parent_id: id } }
    request: { path: "/child/{{ parent.id }}" }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: t_children }
`;

describe('no silent 0-row success, end to end on the local profile', () => {
  let run: OneSourceRun;
  let runtime: LocalRuntime;
  let dir: string;
  let outcome: LocalRunOutcome;
  let items: Map<string, ItemRecord>;
  let summary: RunSummary;

  beforeAll(async () => {
    run = await oneSourceRun({
      prefix: 'dif-empty-',
      source: 'hostile',
      sourceYaml: SOURCE,
      faults: Object.entries(ANSWERS).map(([name, body]) => ({
        path: `/hostile/${name}`,
        kind: 'status' as const,
        status: 200,
        body,
        times: 1000,
      })),
      itemTimeoutMs: 60_000,
    });
    ({ runtime, dir, outcome, items } = run);
    summary = (await runtime.ctx.ports.runState.getRun(outcome.runId))!.summary as unknown as RunSummary;
  }, 120_000);

  afterAll(async () => {
    await run?.close();
  });

  it.each([
    ['zeros_stream', /expected a JSON value but found "\\u0000.*The payload is not valid JSON/],
    ['missing_stream', /records path \$\.data is not in the document \(its top-level fields: meta\)\. .*allow_missing/],
    ['null_stream', /records path \$\.data is null\. Check that the API answered with data/],
    ['string_stream', /records path \$\.data holds a string, not a list or an object of records/],
    ['always_stream', /no records in 1 raw object .*expect_records: always\. Check the request/],
    ['children_of_string', /\/hostile\/string: records path \$\.data holds a string, not a list or an object/],
  ])('%s fails with what, where and what to do', (stream, message) => {
    const item = items.get(stream)!;
    expect(item.stage, JSON.stringify(item)).toBe('failed');
    expect(item.error).toMatch(message);
    expect(item.empty).toBeUndefined();
  });

  it('loads an empty list, and a missing list the stream allows, as counted empty items', () => {
    for (const stream of ['empty_stream', 'absent_stream'])
      expect(items.get(stream), stream).toMatchObject({ stage: 'loaded', empty: true, recordsIn: 0, rowsLoaded: 0 });
    expect(items.get('ok_stream')).toMatchObject({ stage: 'loaded', recordsIn: 1, rowsLoaded: 1 });
    expect(items.get('ok_stream')!.empty).toBeUndefined();
  });

  it('fails the run, and its summary counts and names the empty items in a warning', () => {
    expect(outcome.result.status).toBe('failed');
    expect(summary.items.empty).toBe(2);
    expect(summary.warnings).toEqual([
      expect.stringMatching(
        /^2 items loaded no records \(empty\): c\/hostile\/absent_stream\/all, c\/hostile\/empty_stream\/all\. If a stream must never be empty, set expect_records: always on it$/,
      ),
    ]);
  });

  it('dif run and dif runs show print the warning and mark the empty items', async () => {
    const printed = renderRunSummary(outcome.runId, 'failed', 1000, tallyItems([...items.values()]));
    expect(printed).toMatch(/\nwarning: 2 items loaded no records \(empty\): c\/hostile\/absent_stream\/all/);
    const shown = await runCli(buildProgram, ['runs', 'show', outcome.runId, '--data-dir', join(dir, 'data')]);
    expect(shown.stdout).toMatch(/\nwarning: +2 items loaded no records/);
    expect(shown.stdout).toMatch(/c\/hostile\/empty_stream\/all +loaded \(empty\)/);
  });
});
