import { afterEach, describe, expect, it } from 'vitest';
import { clientDefinition } from '../../../shared/config/schema/client';
import { TransformConfigError, transformItem, transformWithCounts } from '../../../services/transformer';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

let t: TransformerTestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const page = (data: unknown[]) => JSON.stringify({ data });

/** Issue 16 §2: values only the request knows (TikTok's advertiser id, GA4's property, a parent id) as columns. */
describe('columns from the request', () => {
  it('reads partition values, the slice, client params and parent fields into every row', async () => {
    t = transformerContext({
      records: '$.data',
      partition: {
        list: { advertiser_id: '{{ client.advertiser_ids }}' },
        date_range: { start: '2026-01-01', end: '2026-01-07', step: 'P7D' },
      },
      parent: { stream: 'report', fields: { campaign_ref: 'id' } },
      columns: {
        advertiser_id: { type: 'bigint', from: 'partition.advertiser_id' },
        week_start: { type: 'date', from: 'slice.start' },
        currency: { type: 'varchar(3)', from: 'client.currency' },
        client: { type: 'varchar(32)', from: 'client.name' },
        campaign_id: { type: 'varchar(16)', from: 'parent.id' },
        id: 'varchar(16)',
      },
    });
    t.ctx.config.clients.set(
      'acme',
      clientDefinition.parse({ client: 'acme', sources: { ads: { params: { currency: 'EUR' } } } }),
    );
    // The record has its own `campaign_ref`: parent.id still reads the parent, not the record.
    const message = await t.stage(
      [
        { body: page([{ id: 'a' }, { id: 'b', campaign_ref: 'not-the-parent' }]), context: { campaign_ref: 'c1' } },
        { body: page([{ id: 'c' }]), context: { campaign_ref: 'c2' } },
      ],
      { partitionValues: { advertiser_id: '7001', slice_start: '2026-01-01', slice_end: '2026-01-07' } },
    );
    const clean = await transformItem(t.ctx, message);
    expect(await t.readParts(clean.clean.manifestKey)).toEqual([
      'advertiser_id,week_start,currency,client,campaign_id,id\n' +
        '7001,2026-01-01,EUR,acme,c1,a\n' +
        '7001,2026-01-01,EUR,acme,c1,b\n' +
        '7001,2026-01-01,EUR,acme,c2,c\n',
    ]);
  });

  it('fails the item, naming the column, when a request value cannot be cast or is absent', async () => {
    t = transformerContext({
      records: '$.data',
      columns: { advertiser_id: { type: 'bigint', from: 'partition.advertiser_id' } },
    });
    const bad = await t.stage([{ body: page([{ x: 1 }]) }], { partitionValues: { advertiser_id: 'ADV-1' } });
    await expect(transformWithCounts(t.ctx, bad)).rejects.toThrow(
      /columns\.advertiser_id: the request value "ADV-1" cannot be written as bigint/,
    );
    const missing = await t.stage([{ body: page([{ x: 1 }]) }], { partitionValues: { account_id: '1' } });
    await expect(transformWithCounts(t.ctx, missing)).rejects.toThrow(TransformConfigError);
    await expect(transformWithCounts(t.ctx, missing)).rejects.toThrow(
      /partition\.advertiser_id is not a value of this item's partition \(it has: account_id\)/,
    );
  });

  it('reads a record field named like a request root through $.', async () => {
    t = transformerContext({
      records: '$.data',
      columns: { client_id: { type: 'varchar(8)', from: '$.client.id' } },
    });
    const clean = await transformItem(t.ctx, await t.stage([{ body: page([{ client: { id: 'k9' } }]) }]));
    expect(await t.readParts(clean.clean.manifestKey)).toEqual(['client_id\nk9\n']);
  });
});
