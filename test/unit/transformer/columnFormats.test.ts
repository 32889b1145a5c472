import { afterEach, describe, expect, it } from 'vitest';
import { transformItem, transformWithCounts } from '../../../services/transformer';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

let t: TransformerTestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function rows(stream: Record<string, unknown>, records: unknown[]): Promise<string[]> {
  await t?.close();
  t = transformerContext({ records: '$.data', transform: { max_rejected_ratio: 1 }, ...stream });
  const clean = await transformItem(t.ctx, await t.stage([{ body: JSON.stringify({ data: records }) }]));
  return (await t.readParts(clean.clean.manifestKey)).join('').trimEnd().split('\n').slice(1);
}

async function quarantined(): Promise<string[]> {
  const keys = await t!.store.list('quarantine/');
  if (keys.length === 0) return [];
  const text = await t!.readText(keys[0]!.key);
  return text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { reason: string }).reason);
}

/** Issue 16 §3: dates and numbers as platforms print them. */
describe('column formats', () => {
  it('reads Microsoft-style M/d/yyyy dates, yyyyMMdd, and "--" as NULL', async () => {
    expect(
      await rows(
        {
          columns: {
            day: { type: 'date', from: 'TimePeriod', format: 'M/d/yyyy' },
            compact: { type: 'date', format: 'yyyyMMdd' },
            clicks: 'bigint',
          },
          transform: { null_values: ['--'], max_rejected_ratio: 1 },
        },
        [
          { TimePeriod: '2/1/2026', compact: '20260201', clicks: '--' },
          { TimePeriod: '12/31/2025', compact: '--', clicks: '7' },
          { TimePeriod: '2/30/2026', compact: '20260201', clicks: '1' },
          { TimePeriod: '2026-02-01', compact: '20260201', clicks: '1' },
        ],
      ),
    ).toEqual(['2026-02-01,2026-02-01,\\N', '2025-12-31,\\N,7']);
    expect(await quarantined()).toEqual([
      'column day (date): "2/30/2026" is not a date written M/d/yyyy',
      'column day (date): "2026-02-01" is not a date written M/d/yyyy',
    ]);
  });

  it('reads local timestamps in an account time zone (a client param) and epochs in a named unit', async () => {
    expect(
      await rows(
        {
          columns: {
            local: { type: 'timestamptz', format: 'yyyy-MM-dd HH:mm:ss', timezone: 'America/Los_Angeles' },
            us: { type: 'timestamp', format: 'MM/dd/yyyy hh:mm a' },
            millis: { type: 'timestamptz', format: 'epoch_millis' },
            seconds: { type: 'date', format: 'epoch_seconds', timezone: 'Asia/Tokyo' },
          },
        },
        [
          { local: '2026-01-31 23:30:00', us: '01/31/2026 11:30 PM', millis: 1769904000123, seconds: '1769904000' },
          { local: '2026-07-01 00:00:00', us: '07/01/2026 12:05 am', millis: '1769904000000', seconds: 1769904000 },
        ],
      ),
    ).toEqual([
      '2026-02-01 07:30:00.000000+00,2026-01-31 23:30:00.000000,2026-02-01 00:00:00.123000+00,2026-02-01',
      '2026-07-01 07:00:00.000000+00,2026-07-01 00:05:00.000000,2026-02-01 00:00:00.000000+00,2026-02-01',
    ]);
  });

  it('resolves a time zone template from the client params', async () => {
    t = transformerContext({
      records: '$.data',
      columns: { at: { type: 'timestamp', timezone: '{{ client.timezone }}' } },
    });
    const { clientDefinition } = await import('../../../shared/config/schema/client');
    t.ctx.config.clients.set(
      'acme',
      clientDefinition.parse({ client: 'acme', sources: { ads: { params: { timezone: 'Europe/Paris' } } } }),
    );
    const clean = await transformItem(
      t.ctx,
      await t.stage([{ body: JSON.stringify({ data: [{ at: '2026-01-31T10:00:00' }] }) }]),
    );
    expect(await t.readParts(clean.clean.manifestKey)).toEqual(['at\n2026-01-31 09:00:00.000000\n']);
  });

  it('reads thousands separators, decimal commas and percentages exactly, and rejects a misgrouped number', async () => {
    expect(
      await rows(
        {
          columns: {
            spend: { type: 'decimal(18,2)', thousands: ',' },
            eu: { type: 'decimal(18,2)', thousands: '.', decimal: ',' },
            ctr: { type: 'decimal(9,6)', format: 'percent' },
            impressions: { type: 'bigint', thousands: ',', null_values: ['N/A'] },
            rate: { type: 'double', format: 'percent' },
          },
        },
        [
          { spend: '1,234,567.891', eu: '1.234,5', ctr: '12.5%', impressions: '1,000', rate: '7%' },
          { spend: 12.5, eu: '-0,5', ctr: 0.07, impressions: 'N/A', rate: 50 },
          { spend: '1,23', eu: '1', ctr: '1%', impressions: '1', rate: '1%' },
        ],
      ),
    ).toEqual(['1234567.89,1234.50,0.125000,1000,0.07', '12.50,-0.50,0.000700,\\N,0.5']);
    expect(await quarantined()).toEqual([
      'column spend (decimal(18,2)): "1,23" is not a number written with "," between groups of three digits',
    ]);
  });
});

/** Issue 16 §4: a value inside an array (Meta's conversions in actions[]) as a column. */
describe('columns over arrays', () => {
  const insight = (actions: unknown) => ({ ad_id: '1', actions });

  it('reads the purchase of actions[] next to other columns; no purchase is NULL', async () => {
    expect(
      await rows(
        {
          columns: {
            ad_id: 'varchar(8)',
            purchases: { type: 'bigint', from: "actions[?action_type=='purchase'].value" },
            leads: { type: 'bigint', from: "actions[?action_type=='lead'].value" },
            action_types: { type: 'super', from: 'actions[*].action_type' },
          },
        },
        [
          insight([
            { action_type: 'link_click', value: '12' },
            { action_type: 'purchase', value: '3' },
          ]),
          insight([]),
          { ad_id: '2' },
        ],
      ),
    ).toEqual(['1,3,\\N,"[""link_click"",""purchase""]"', '1,\\N,\\N,[]', '2,\\N,\\N,[]']);
  });

  it('treats no match as NULL, not as a missing field, under missing_field: fail', async () => {
    expect(
      await rows(
        {
          columns: { purchases: { type: 'bigint', from: "actions[?action_type=='purchase'].value" } },
          transform: { missing_field: 'fail' },
        },
        [insight([{ action_type: 'link_click', value: '1' }])],
      ),
    ).toEqual(['\\N']);
  });

  it('rejects a record whose filter matches twice, unless the column says how to combine', async () => {
    const twice = insight([
      { action_type: 'purchase', value: '3' },
      { action_type: 'purchase', value: '2.5' },
    ]);
    const from = "actions[?action_type=='purchase'].value";
    expect(await rows({ columns: { purchases: { type: 'bigint', from } } }, [twice])).toEqual([]);
    expect(await quarantined()).toEqual([
      `column purchases (bigint): ${from} selects 2 values ("3", "2.5"); set matches: sum, first or last on the column to say which, or narrow the filter`,
    ]);
    expect(
      await rows(
        {
          columns: {
            total: { type: 'decimal(10,2)', from, matches: 'sum' },
            first: { type: 'decimal(10,2)', from, matches: 'first' },
            last: { type: 'decimal(10,2)', from, matches: 'last' },
          },
        },
        [twice],
      ),
    ).toEqual(['5.50,3.00,2.50']);
  });

  it('keeps the default path untouched: columns without formats read and cast as before', async () => {
    t = transformerContext({ records: '$.data', columns: { a: 'bigint', b: { type: 'varchar(4)', from: 'x.y' } } });
    const { counts } = await transformWithCounts(
      t.ctx,
      await t.stage([{ body: JSON.stringify({ data: [{ a: '1', x: { y: '--' } }] }) }]),
    );
    expect(counts).toMatchObject({ recordsIn: 1, rows: 1, rejected: 0 });
  });
});
