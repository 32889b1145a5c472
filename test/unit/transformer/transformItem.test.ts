import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanReady, WORK_ITEM_FIELDS, workItemOf } from '../../../shared/messages';
import {
  RejectThresholdError,
  SchemaDriftError,
  transformItem,
  transformWithCounts,
} from '../../../services/transformer';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

let t: TransformerTestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const page = (data: unknown[]) => JSON.stringify({ data, paging: { next: null } });

describe('transformItem', () => {
  it('passes the work item on to the loader whole: every field of the raw-ready item, none copied by hand', async () => {
    t = transformerContext({ records: '$.data', format: { type: 'json' }, columns: { id: 'bigint' } });
    const raw = await t.stage([{ body: page([{ id: 1 }]) }]);
    const message = { ...raw, runtime: 'ecs' as const, extraction: 'async' as const, partitionValues: { a: '1' } };
    const clean = await transformItem(t.ctx, message);
    expect(workItemOf(clean)).toEqual(workItemOf(message));
    expect(WORK_ITEM_FIELDS).toHaveLength(11);
    for (const field of WORK_ITEM_FIELDS) expect(clean[field], field).toEqual(message[field]);
  });

  it('decodes JSON pages, merges parent context, flattens, casts and writes clean CSV with a COPY manifest', async () => {
    t = transformerContext({
      records: '$.data',
      format: { type: 'json' },
      columns: {
        campaign_id: 'bigint',
        day: { type: 'date', from: 'date_start' },
        spend: { type: 'decimal(18,6)', from: 'metrics.spend' },
        active: 'boolean',
        name: 'varchar(20)',
        seen_at: 'timestamptz',
        tags: 'super',
      },
    });
    const message = await t.stage([
      {
        body: page([
          {
            date_start: '2026-01-01',
            metrics: { spend: '12.3456789' },
            active: 'yes',
            name: 'Spring, "big" sale',
            seen_at: '2026-01-01T10:00:00+02:00',
            tags: ['a'],
          },
          { date_start: '2026-01-02', metrics: { spend: 3 }, active: false, name: '', seen_at: null },
        ]),
        context: { campaign_id: '9007199254740993' },
      },
      { body: page([{ campaign_id: 7, date_start: '2026-01-03', name: '\\N' }]), context: { campaign_id: 8 } },
    ]);
    const clean = await transformItem(t.ctx, message);
    expect(cleanReady.parse(clean)).toEqual(clean);
    expect(clean).toMatchObject({
      kind: 'clean-ready',
      taskToken: 'token-1',
      recordsIn: 3,
      rejected: 0,
      clean: { parts: 1, rows: 3 },
    });
    expect(clean.clean.manifestKey).toBe('clean/acme/ads/report/dt=2026-01-01/run=r1/item1-manifest.json');
    expect(clean.columns).toEqual([
      { name: 'campaign_id', type: 'bigint' },
      { name: 'day', type: 'date' },
      { name: 'spend', type: 'decimal(18,6)' },
      { name: 'active', type: 'boolean' },
      { name: 'name', type: 'varchar(20)' },
      { name: 'seen_at', type: 'timestamptz' },
      { name: 'tags', type: 'json' },
    ]);
    expect(await t.readParts(clean.clean.manifestKey)).toEqual([
      'campaign_id,day,spend,active,name,seen_at,tags\n' +
        '9007199254740993,2026-01-01,12.345679,true,"Spring, ""big"" sale",2026-01-01 08:00:00.000000+00,"[""a""]"\n' +
        '9007199254740993,2026-01-02,3.000000,false,"",\\N,\\N\n' +
        '7,2026-01-03,\\N,\\N,"\\N",\\N,\\N\n',
    ]);
    const manifest = JSON.parse(await t.readText(clean.clean.manifestKey));
    expect(manifest.entries).toHaveLength(1);
    expect(manifest.entries[0]).toMatchObject({ mandatory: true, meta: { content_length: clean.clean.bytes } });
    expect(t.store.keyFromUri(manifest.entries[0].url)).toBe(
      'clean/acme/ads/report/dt=2026-01-01/run=r1/item1-part-00001.csv.gz',
    );
    // The same raw data gives the same batch, so a re-extraction loads as a no-op.
    const again = await transformItem(t.ctx, message);
    expect(again.batchId).toBe(clean.batchId);
    expect(clean.batchId).toMatch(/^item1-[0-9a-f]{16}$/);
  });

  it('writes nothing to quarantine and deletes nothing for an item without rejects (the deployed role may not delete)', async () => {
    t = transformerContext({ format: { type: 'csv' }, columns: { id: 'int' } });
    const message = await t.stage([{ body: 'id\n1\n2\n', ext: 'csv' }]);
    const deleted: string[] = [];
    const remove = t.store.delete.bind(t.store);
    t.store.delete = async (key: string) => {
      deleted.push(key);
      await remove(key);
    };
    const { counts } = await transformWithCounts(t.ctx, message);
    expect(counts).toMatchObject({ rows: 2, rejected: 0 });
    expect(deleted).toEqual([]);
    expect(await t.store.head('quarantine/acme/ads/report/run=r1/item1.jsonl')).toBeUndefined();
  });

  it('quarantines rows that fail a cast with the reason and the original record', async () => {
    t = transformerContext({
      format: { type: 'csv' },
      columns: { id: 'int', spend: 'decimal(10,2)' },
      transform: { max_rejected_ratio: 0.5 },
    });
    const message = await t.stage([{ body: 'id,spend\n1,2.5\nx,3\n3,abc\n4,1e2\n', ext: 'csv' }]);
    const { message: clean, counts } = await transformWithCounts(t.ctx, message);
    expect(counts).toMatchObject({ recordsIn: 4, rows: 2, rejected: 2 });
    expect(clean.rejected).toBe(2);
    expect(await t.readParts(clean.clean.manifestKey)).toEqual(['id,spend\n1,2.50\n4,100.00\n']);
    const lines = (await t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      {
        object: message.raw.manifestKey.replace('manifest.json', '000001.csv'),
        record: 2,
        reason: 'column id (int): "x" is not a whole number (int)',
        original: { id: 'x', spend: '3' },
      },
      {
        object: message.raw.manifestKey.replace('manifest.json', '000001.csv'),
        record: 3,
        reason: 'column spend (decimal(10,2)): "abc" is not a decimal number',
        original: { id: '3', spend: 'abc' },
      },
    ]);
  });

  it('fails the item when rejects exceed the threshold, naming the quarantine object', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int' },
      transform: { max_rejected_ratio: 0.25 },
    });
    const message = await t.stage([{ body: '{"id":1}\n{"id":"a"}\nnot json\n{"id":4}\n', ext: 'jsonl' }]);
    const error = await transformItem(t.ctx, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectThresholdError);
    expect((error as Error).message).toContain('2 of 4 records rejected (50.0%)');
    expect((error as Error).message).toContain('quarantine/acme/ads/report/run=r1/item1.jsonl');
    const lines = (await t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.record)).toEqual([2, 3]);
    expect(lines[1].reason).toMatch(/^line 3: not valid JSON/);
    expect(lines[1].original).toBe('not json');
    expect(await t.store.head('clean/acme/ads/report/dt=2026-01-01/run=r1/item1-manifest.json')).toBeUndefined();
  });

  it('splits output into parts of the configured size, each with the header, all in the manifest', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int', text: 'varchar(100)' },
      transform: { part_bytes: 1024 },
    });
    const lines = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ id: i, text: `row ${i} ${'x'.repeat(50)}` }),
    ).join('\n');
    const message = await t.stage([{ body: gzipSync(lines), ext: 'jsonl.gz' }]);
    const clean = await transformItem(t.ctx, message);
    expect(clean.clean.rows).toBe(3000);
    expect(clean.clean.parts).toBeGreaterThan(1);
    const parts = await t.readParts(clean.clean.manifestKey);
    expect(parts).toHaveLength(clean.clean.parts);
    for (const part of parts) expect(part.startsWith('id,text\n')).toBe(true);
    const rows = parts.flatMap((part) => part.trim().split('\n').slice(1));
    expect(rows).toHaveLength(3000);
    expect(rows[2999]).toBe(`2999,row 2999 ${'x'.repeat(50)}`);
  });

  it('numbers the rows of a merge table in source order across parts, so a merge keeps the last of a key', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int', status: 'varchar(10)' },
      primary_key: ['id'],
      load: { table: 'report', mode: 'merge' },
      transform: { part_bytes: 1024 },
    });
    const records = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i % 7, status: `v${i}` }));
    const clean = await transformItem(t.ctx, await t.stage([{ body: records.join('\n'), ext: 'jsonl' }]));
    expect(cleanReady.parse(clean).clean).toMatchObject({ sourceOrder: 'dif_source_row', rows: 300 });
    const parts = await t.readParts(clean.clean.manifestKey);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.split('\n')[0]).toBe('id,status,dif_source_row');
    const rows = parts.flatMap((part) => part.trim().split('\n').slice(1));
    expect(rows).toEqual(records.map((_, i) => `${i % 7},v${i},${i + 1}`));
  });

  it('writes one header-only part when there are no records', async () => {
    t = transformerContext({ records: '$.data', columns: { id: 'int' } });
    const clean = await transformItem(t.ctx, await t.stage([{ body: page([]) }]));
    expect(clean.clean).toMatchObject({ parts: 1, rows: 0 });
    expect(await t.readParts(clean.clean.manifestKey)).toEqual(['id\n']);
  });

  it('renames, filters, adds run metadata and keeps the last record of each key', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int', status: 'varchar(10)' },
      primary_key: ['id'],
      transform: {
        rename: { State: 'status' },
        filter: [{ column: 'status', op: 'ne', value: 'DELETED' }],
        dedupe: true,
        add: { _client: 'client', _run: 'run_id', _extracted_at: 'extracted_at' },
      },
    });
    const body = [
      '{"id":1,"State":"old"}',
      '{"id":2,"State":"DELETED"}',
      '{"id":1,"State":"new"}',
      '{"id":3,"State":"ok"}',
    ].join('\n');
    const { message: clean, counts } = await transformWithCounts(t.ctx, await t.stage([{ body, ext: 'jsonl' }]));
    expect(counts).toMatchObject({ recordsIn: 4, rows: 2, filtered: 1, duplicates: 1, rejected: 0 });
    expect(clean.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'id:int',
      'status:varchar(10)',
      '_client:varchar(256)',
      '_run:varchar(256)',
      '_extracted_at:timestamptz',
    ]);
    expect(await t.readParts(clean.clean.manifestKey)).toEqual([
      'id,status,_client,_run,_extracted_at\n1,new,acme,r1,2026-01-02 03:04:05.678000+00\n3,ok,acme,r1,2026-01-02 03:04:05.678000+00\n',
    ]);
  });

  it('fails an item with more distinct keys than dedupe may hold, saying what to do', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int' },
      primary_key: ['id'],
      transform: { dedupe: true, dedupe_max_keys: 2 },
    });
    const body = ['{"id":1}', '{"id":2}', '{"id":1}', '{"id":3}'].join('\n');
    const error = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }])).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('Transform.DedupeLimit');
    expect((error as Error).message).toMatch(
      /more than transform\.dedupe_max_keys \(2\) distinct primary keys in one item.*Split the item into smaller partitions/,
    );
  });

  it('applies the schema drift policies: evolve, fail on new field, fail on missing field', async () => {
    const body = '{"id":1,"extra":"a"}\n{"id":2,"Nested Thing":{"k":1}}\n';
    t = transformerContext({ format: { type: 'jsonl' }, columns: { id: 'int' }, transform: { new_field: 'evolve' } });
    const evolved = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }]));
    expect(evolved.columns).toEqual([
      { name: 'id', type: 'int' },
      { name: 'extra', type: 'varchar(65535)' },
      { name: 'nested_thing', type: 'json' },
    ]);
    expect(await t.readParts(evolved.clean.manifestKey)).toEqual([
      'id,extra,nested_thing\n1,a,\\N\n2,\\N,"{""k"":1}"\n',
    ]);
    await t.close();

    t = transformerContext({ format: { type: 'jsonl' }, columns: { id: 'int' }, transform: { new_field: 'fail' } });
    const newField = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }])).catch((e: unknown) => e);
    expect(newField).toBeInstanceOf(SchemaDriftError);
    expect((newField as Error).message).toMatch(/item1-000001\.jsonl, record 1: new field "extra" not declared/);
    await t.close();

    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int', extra: 'varchar' },
      transform: { missing_field: 'fail' },
    });
    const missing = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }])).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SchemaDriftError);
    expect((missing as Error).message).toMatch(/record 2: declared column "extra" is missing/);
  });

  it('decodes XML records end to end, and quarantines values too deeply nested to write', async () => {
    t = transformerContext({
      format: { type: 'xml', record_element: 'row', attribute_prefix: '' },
      columns: { id: 'int', spend: { type: 'decimal(10,2)', from: 'm.spend' }, tag: 'super' },
    });
    const xml =
      '<?xml version="1.0"?><r><row id="1"><m><spend>1.239</spend></m><tag>a</tag><tag>b</tag></row><row id="2"/></r>';
    const clean = await transformItem(t.ctx, await t.stage([{ body: xml, ext: 'xml' }]));
    expect(await t.readParts(clean.clean.manifestKey)).toEqual(['id,spend,tag\n1,1.24,"[""a"",""b""]"\n2,\\N,\\N\n']);
    await t.close();

    t = transformerContext({
      format: { type: 'jsonl' },
      columns: { id: 'int', payload: 'super' },
      transform: { max_rejected_ratio: 0.5 },
    });
    const deep = `{"id":2,"payload":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const { counts } = await transformWithCounts(
      t.ctx,
      await t.stage([{ body: `{"id":1,"payload":{"a":1}}\n${deep}\n`, ext: 'jsonl' }]),
    );
    expect(counts).toMatchObject({ recordsIn: 2, rows: 1, rejected: 1 });
    const [line] = (await t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line.reason).toMatch(/column payload \(json\): the value cannot be written as JSON .*nested too deeply/);
  });
});

describe('transformItem explode', () => {
  it('writes one row per array element with the parent key (a child table)', async () => {
    t = transformerContext({
      format: { type: 'jsonl' },
      columns: {
        campaign_id: 'bigint',
        day: { type: 'date', from: 'date_start' },
        action_type: { type: 'varchar(32)', from: 'actions.action_type' },
        value: { type: 'int', from: 'actions.value' },
      },
      transform: {
        explode: 'actions',
        filter: [{ column: 'action_type', op: 'ne', value: 'ignored' }],
        max_rejected_ratio: 0.5,
      },
    });
    const body = [
      {
        campaign_id: 1,
        date_start: '2026-01-01',
        actions: [
          { action_type: 'click', value: '3' },
          { action_type: 'purchase', value: 1 },
          { action_type: 'ignored', value: 0 },
        ],
      },
      { campaign_id: 2, date_start: '2026-01-01', actions: [] },
      { campaign_id: 3, date_start: '2026-01-02' },
      { campaign_id: 4, date_start: '2026-01-02', actions: [{ action_type: 'click', value: 'x' }] },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const { message: clean, counts } = await transformWithCounts(t.ctx, await t.stage([{ body, ext: 'jsonl' }]));
    expect(await t.readParts(clean.clean.manifestKey)).toEqual([
      'campaign_id,day,action_type,value\n1,2026-01-01,click,3\n1,2026-01-01,purchase,1\n',
    ]);
    expect(counts).toMatchObject({ recordsIn: 4, rows: 2, filtered: 3, rejected: 1 });
    const [line] = (await t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(line).toMatchObject({
      record: 4,
      reason: 'column value (int): "x" is not a whole number (int)',
      original: { campaign_id: 4, actions: { action_type: 'click', value: 'x' } },
    });
  });
});

describe('transformItem child tables', () => {
  const insights = (children: Record<string, unknown>, transform: Record<string, unknown> = {}) => ({
    format: { type: 'jsonl' },
    columns: {
      campaign_id: 'bigint',
      day: { type: 'date', from: 'date_start' },
      spend: 'decimal(12,2)',
      actions: 'super',
    },
    primary_key: ['campaign_id', 'day'],
    transform: { max_rejected_ratio: 0.5, ...transform },
    children,
  });
  const actions = {
    explode: 'actions',
    columns: {
      campaign_id: 'bigint',
      day: { type: 'date', from: 'date_start' },
      action_type: { type: 'varchar(16)', from: 'actions.action_type' },
      value: { type: 'int', from: 'actions.value' },
    },
    primary_key: ['campaign_id', 'day', 'action_type'],
    transform: { filter: [{ column: 'action_type', op: 'ne', value: 'ignored' }] },
    load: { table: 'report_actions', mode: 'merge' },
  };
  const records = [
    {
      campaign_id: 1,
      date_start: '2026-01-01',
      spend: '1.5',
      actions: [
        { action_type: 'click', value: '3' },
        { action_type: 'ignored', value: 0 },
        { action_type: 'purchase', value: 'x' },
      ],
    },
    { campaign_id: 2, date_start: '2026-01-01', spend: 'lots', actions: [{ action_type: 'click', value: 9 }] },
    { campaign_id: 3, date_start: '2026-01-02', spend: '2', actions: [] },
    { campaign_id: 4, date_start: '2026-01-02', spend: '4' },
    {
      campaign_id: 5,
      date_start: '2026-01-03',
      spend: '5',
      actions: [
        { action_type: 'lead', value: 1 },
        { action_type: 'click', value: 2 },
      ],
    },
  ];
  const body = records.map((r) => JSON.stringify(r)).join('\n');

  it('writes the stream table and the child table from one pass, each with its manifest and batch id', async () => {
    t = transformerContext(insights({ report_actions: actions }));
    const { message: clean, counts } = await transformWithCounts(t.ctx, await t.stage([{ body, ext: 'jsonl' }]));
    expect(cleanReady.parse(clean)).toEqual(clean);
    expect(await t.readParts(clean.clean.manifestKey)).toEqual([
      'campaign_id,day,spend,actions\n' +
        '1,2026-01-01,1.50,"[{""action_type"":""click"",""value"":""3""},{""action_type"":""ignored"",""value"":0},{""action_type"":""purchase"",""value"":""x""}]"\n' +
        '3,2026-01-02,2.00,[]\n4,2026-01-02,4.00,\\N\n' +
        '5,2026-01-03,5.00,"[{""action_type"":""lead"",""value"":1},{""action_type"":""click"",""value"":2}]"\n',
    ]);
    const [child] = clean.children!;
    expect(child).toMatchObject({
      name: 'report_actions',
      clean: { rows: 3, parts: 1 },
      columns: [{ name: 'campaign_id' }, { name: 'day' }, { name: 'action_type' }, { name: 'value' }],
    });
    expect(child!.clean.manifestKey).toBe(
      'clean/acme/ads/report/dt=2026-01-01/run=r1/item1.report_actions-manifest.json',
    );
    expect(child!.batchId).toMatch(/^item1\.report_actions-[0-9a-f]{16}$/);
    expect(child!.batchId).not.toBe(clean.batchId);
    // Record 2 is rejected, so its action is not written either; the ignored action is filtered out.
    // The child table is loaded by merge: each row ends with its position in source order (format 2).
    expect(child!.clean.sourceOrder).toBe('dif_source_row');
    expect(clean.clean.sourceOrder).toBeUndefined();
    expect(await t.readParts(child!.clean.manifestKey)).toEqual([
      'campaign_id,day,action_type,value,dif_source_row\n1,2026-01-01,click,3,1\n5,2026-01-03,lead,1,2\n5,2026-01-03,click,2,3\n',
    ]);
    expect(counts).toMatchObject({ recordsIn: 5, rows: 4, rejected: 2, childElements: 5 });
    const lines = (await t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({
        record: 1,
        reason: 'child table report_actions: column value (int): "x" is not a whole number (int)',
        original: expect.objectContaining({ campaign_id: 1, actions: { action_type: 'purchase', value: 'x' } }),
      }),
      expect.objectContaining({ record: 2, reason: expect.stringMatching(/^column spend \(decimal\(12,2\)\)/) }),
    ]);
  });

  it('leaves the message as before when the stream has no child tables', async () => {
    t = transformerContext(insights({}));
    const clean = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }]));
    expect(clean).not.toHaveProperty('children');
  });

  it('names the child table in a configuration error', async () => {
    t = transformerContext(
      insights({ report_actions: { ...actions, transform: { filter: [{ column: 'nope', op: 'eq', value: 1 }] } } }),
    );
    const error = await transformItem(t.ctx, await t.stage([{ body, ext: 'jsonl' }])).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('Transform.Config');
    expect((error as Error).message).toMatch(/^children\.report_actions: transform\.filter reads column "nope"/);
  });

  it('counts child rows in the reject threshold', async () => {
    const strict = { ...actions, columns: { ...actions.columns, value: { type: 'smallint', from: 'actions.value' } } };
    const many = Array.from({ length: 4 }, (_, i) =>
      JSON.stringify({
        campaign_id: i,
        date_start: '2026-01-01',
        spend: '1',
        actions: [
          { action_type: 'a', value: 99999 },
          { action_type: 'b', value: 99999 },
        ],
      }),
    ).join('\n');
    t = transformerContext(insights({ report_actions: strict }, { max_rejected_ratio: 0.5 }));
    await expect(transformItem(t.ctx, await t.stage([{ body: many, ext: 'jsonl' }]))).rejects.toThrow(
      /8 of 12 records and child rows rejected \(66\.7%\)/,
    );
  });
});

describe('transformItem configuration checks', () => {
  it.each([
    [{ timezone: 'Mars/Olympus' }, /transform.timezone "Mars\/Olympus" is not an IANA time zone/],
    [
      { filter: [{ column: 'nope', op: 'eq', value: 1 }] },
      /transform.filter reads column "nope", which is neither declared/,
    ],
    [{ filter: [{ column: 'id', op: 'in', value: 1 }] }, /op in needs a list of values/],
    [{ add: { id: 'client' } }, /transform.add.id is also a declared column/],
    [{ dedupe: true }, /sets transform.dedupe but has no primary_key/],
  ])('refuses %j before reading data', async (transform, message) => {
    t = transformerContext({ format: { type: 'jsonl' }, columns: { id: 'int' }, transform });
    const error = await transformItem(t.ctx, await t.stage([{ body: '{"id":1}\n', ext: 'jsonl' }])).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('Transform.Config');
    expect((error as Error).message).toMatch(message);
  });
});
