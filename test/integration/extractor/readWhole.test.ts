import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extract } from '../../../services/extractor/handlers/extract';
import { rawManifest } from '../../../shared/messages/rawReady';
import { planItems } from '../../support/planItems';
import {
  configFrom,
  extractorContext,
  MemorySecrets,
  readObject,
  type ExtractorTestContext,
} from '../../support/extractorContext';

/** A big report: well past the 64 KiB an unparsed body is checked on. */
const ROWS = Array.from({ length: 4000 }, (_, i) => ({ campaign: { id: String(i), name: `campaign number ${i}` } }));
const ERROR = { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } };

/**
 * Issue 19 (Google Ads searchStream): a 200 whose JSON array ends with an error element once the
 * rows have started. Only a page read whole lets error_when see that end.
 */
describe('paginate none with read_whole', () => {
  let server: Server;
  let env: ExtractorTestContext;
  let calls: number;
  let run = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      calls += 1;
      response.setHeader('content-type', 'application/json');
      const batches = [{ results: ROWS.slice(0, 2000) }, { results: ROWS.slice(2000) }];
      // The first answer breaks after its first batch, as a failing stream does.
      response.end(JSON.stringify(calls === 1 ? [batches[0], ERROR] : batches));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const stream = (name: string, paginate: string) => `  ${name}:
    request: { method: POST, path: /stream, body: { type: json, value: { query: "SELECT campaign.id FROM campaign" } } }
    records: "$[*].results"
    paginate: ${paginate}
    columns: { id: { type: varchar(20), from: campaign.id } }
    load: { table: ${name} }
`;
    const source = `name: s
base_url: ${base}
retry: { base_delay: 1ms, max_delay: 5ms, error_when: [{ path: //error/status, in: [INTERNAL] }] }
streams:
${stream('whole', '{ type: none, read_whole: true }')}${stream('peeked', '{ type: none }')}`;
    env = extractorContext(configFrom({ sources: { s: source }, clients: { c: 'client: c\nsources:\n  s: {}\n' } }), {
      secrets: new MemorySecrets({}),
    });
  });
  beforeEach(() => {
    calls = 0;
  });
  afterAll(async () => {
    await env?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function extractStream(stream: string): Promise<number> {
    const { items } = await planItems(env.ctx, { runId: `r${++run}`, stream });
    const output = await extract(env.ctx, { item: items[0]!, taskToken: 'tok' }, { sleep: async () => undefined });
    const manifest = rawManifest.parse(JSON.parse(await readObject(env.ctx, output.raw.manifestKey)));
    let rows = 0;
    for (const entry of manifest.objects)
      for (const batch of JSON.parse(await readObject(env.ctx, entry.key)) as { results?: unknown[] }[])
        rows += batch.results?.length ?? 0;
    return rows;
  }

  it('retries a stream that ends in an error element, however big, and stores it whole', async () => {
    expect(await extractStream('whole')).toBe(ROWS.length);
    expect(calls).toBe(2);
  });

  it('without read_whole, an error after the first 64 KiB goes unseen (why the catalog sets it)', async () => {
    expect(await extractStream('peeked')).toBe(2000);
    expect(calls).toBe(1);
  });
});
