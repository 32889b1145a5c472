/**
 * Streams one large HTTP body (default 2 GiB) from a local server through the extractor's
 * real path (plan → extractItem → DirectoryObjectStore) and reports throughput and peak RSS.
 * Usage: npm run bench:download [-- <bytes>]. The last line printed is one JSON object.
 */
import '../shared/runtime/polyfills';
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { extractItem } from '../services/extractor/extractItem';
import { planRun } from '../services/runs/plan';
import { configFrom, extractorContext, MemorySecrets } from '../test/support/extractorContext';

const totalBytes = Number(process.argv[2] ?? 2 * 1024 ** 3);
const CHUNK = Buffer.alloc(64 * 1024, 'date,campaign_id,impressions,clicks,spend\n2026-01-01,1001001,12345,67,89.10\n');

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(totalBytes) });
  let sent = 0;
  const pump = (): void => {
    while (sent < totalBytes) {
      const size = Math.min(CHUNK.length, totalBytes - sent);
      sent += size;
      if (!response.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size)))
        return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.env.DIF_BENCH_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const config = configFrom({
  sources: {
    big: 'name: big\nbase_url: "{{ env.DIF_BENCH_URL }}"\nstreams:\n  export:\n    request: { path: /export.csv }\n    format: { type: csv }\n    columns: { date: date }\n    load: { table: export }\n',
  },
  clients: { bench: 'client: bench\nsources:\n  big: {}\n' },
});
const env = extractorContext(config, { secrets: new MemorySecrets({}) });
const [item] = planRun(env.ctx, { runId: 'bench' });

let peakRss = process.memoryUsage().rss;
const baselineRss = peakRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
let lastReport = 0;
const progress = setInterval(() => {
  const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
  if (Date.now() - lastReport > 5000) {
    lastReport = Date.now();
    console.log(`downloading… rss ${rssMb} MB, peak ${Math.round(peakRss / 1024 / 1024)} MB`);
  }
}, 1000);

const started = Date.now();
const result = await extractItem(env.ctx, item!);
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
clearInterval(progress);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const stored = (await env.ctx.ports.objectStore.list('raw/')).find((object) => !object.key.endsWith('manifest.json'))!;
const storedFile = join(env.dir, 'lake', stored.key);
const storedBytes = statSync(storedFile).size;
server.close();
await env.close();

console.log(
  JSON.stringify({
    bytes: totalBytes,
    storedBytes,
    rawBytes: result.raw.bytes,
    seconds: Number(seconds.toFixed(1)),
    mbPerSecond: Number((totalBytes / 1024 / 1024 / seconds).toFixed(1)),
    baselineRssMb: Math.round(baselineRss / 1024 / 1024),
    peakRssMb: Math.round(peakRss / 1024 / 1024),
    underLimit: peakRss < 200 * 1024 * 1024,
  }),
);
