import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORT_DEADLINE, TEST_LIMITS } from './fixtures/hostileLimits';

/** Writes `next()` chunks for as long as the client reads, honouring backpressure; stops when it leaves. */
function pump(response: NodeJS.WritableStream & { destroyed?: boolean }, next: () => Buffer): void {
  let open = true;
  response.on('close', () => (open = false));
  response.on('error', () => (open = false));
  const write = (): void => {
    while (open && !response.destroyed) if (!response.write(next())) return void response.once('drain', write);
  };
  write();
}

const RECORD = Buffer.from(`{"id":1,"name":"${'x'.repeat(200)}"},`);
const ROW = Buffer.from(`1,${'y'.repeat(200)}\n`);
const LINE = Buffer.alloc(64 * 1024, 'A');
const ZEROS = Buffer.alloc(1024 * 1024, '0');

/** A server that never behaves: endless pages, a gzip bomb, a 500 MB line, a trickle. */
function hostile(path: string, response: ServerResponse): void {
  switch (path) {
    case '/endless.json':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"data":[');
      return pump(response, () => RECORD);
    case '/endless.csv':
      response.writeHead(200, { 'content-type': 'text/csv' });
      response.write('id,name\n');
      return pump(response, () => ROW);
    case '/bomb.csv': {
      response.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
      const gzip = createGzip({ level: 9 });
      gzip.pipe(response);
      response.on('close', () => gzip.destroy());
      return pump(gzip, () => ZEROS);
    }
    case '/long-line.json':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(500 * 1024 * 1024) });
      response.write('{"data":[{"id":1,"note":"');
      return pump(response, () => LINE);
    case '/trickle.csv': {
      response.writeHead(200, { 'content-type': 'text/csv' });
      const timer = setInterval(() => response.write('1'), 1_000);
      response.on('close', () => clearInterval(timer));
      return;
    }
    default:
      response.writeHead(404).end();
  }
}

interface Outcome {
  error?: string;
  name?: string;
  maxRssMb: number;
  lakeBytes: number;
  leftovers: number;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Issue 14 §3: every body is bounded in memory, bytes and time, however it is encoded. Each case
 * runs the extractor in a child process (small caps: 16 MiB per item, 8 MiB per page, a 3 s
 * deadline for the trickle) whose peak RSS is measured; a watchdog kills it past 1.5 GB or 60 s, so the test
 * stays bounded even when a guard is missing.
 */
describe('a hostile server cannot exhaust memory, disk or time', () => {
  let server: Server;
  let url: string;
  const figures: Record<string, Omit<Outcome, 'error' | 'name'>> = {};

  beforeAll(async () => {
    server = createServer((request, response) => hostile(new URL(request.url ?? '/', 'http://x').pathname, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    console.log(`hostile-server figures: ${JSON.stringify(figures)}`);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function extract(path: string, format: string, paginate: string, requestDeadline?: string): Promise<Outcome> {
    const dir = mkdtempSync(join(tmpdir(), 'dif-hostile-'));
    const lake = join(dir, 'lake');
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(new URL('./fixtures/extractUnderLimits.ts', import.meta.url)),
          url,
          path,
          format,
          paginate,
          lake,
          ...(requestDeadline ? [requestDeadline] : []),
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let killedFor: string | undefined;
      const watchdog = setInterval(() => {
        const status = existsSync(`/proc/${child.pid}/status`) ? readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (rssKb > 1.5 * 1024 * 1024) killedFor = `RSS ${Math.round(rssKb / 1024)} MB`;
        if (killedFor) child.kill('SIGKILL');
      }, 100);
      const deadline = setTimeout(() => {
        killedFor = 'running over 60 s';
        child.kill('SIGKILL');
      }, 60_000);
      await new Promise((resolve) => child.once('exit', resolve));
      clearInterval(watchdog);
      clearTimeout(deadline);
      if (killedFor) throw new Error(`the extraction of ${path} was killed by the watchdog: ${killedFor}`);
      const result = JSON.parse(output.trim().split('\n').at(-1)!) as Omit<Outcome, 'lakeBytes' | 'leftovers'>;
      const raw = filesUnder(join(lake, 'raw'));
      const outcome: Outcome = {
        ...result,
        lakeBytes: raw.reduce((sum, file) => sum + statSync(file).size, 0),
        leftovers: filesUnder(join(lake, '.incoming')).length,
      };
      figures[path] = { maxRssMb: outcome.maxRssMb, lakeBytes: outcome.lakeBytes, leftovers: outcome.leftovers };
      return outcome;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const withinBounds = (outcome: Outcome) => {
    expect(outcome.maxRssMb).toBeLessThan(300);
    expect(outcome.lakeBytes).toBeLessThanOrEqual(TEST_LIMITS.max_bytes);
    expect(outcome.leftovers).toBe(0);
  };

  it('an endless JSON page that paging must read stops at limits.max_page_bytes', async () => {
    const outcome = await extract('/endless.json', 'json', '{ type: cursor, cursor: $.next, param: after }');
    expect(outcome.error).toMatch(/the page is larger than limits\.max_page_bytes \(8388608 bytes\)/);
    expect(outcome.name).toBe('BodyLimitError');
    withinBounds(outcome);
  }, 90_000);

  it('an endless streamed body stops at limits.max_bytes, and nothing of it is stored', async () => {
    const outcome = await extract('/endless.csv', 'csv', '{ type: none }');
    expect(outcome.error).toMatch(/passed limits\.max_bytes \(16777216 bytes\)\. Nothing above the cap was stored/);
    withinBounds(outcome);
    expect(outcome.lakeBytes).toBe(0);
  }, 90_000);

  it('a gzip bomb sent as Content-Encoding stops at format.max_ratio', async () => {
    const outcome = await extract('/bomb.csv', 'csv', '{ type: none }');
    expect(outcome.error).toMatch(/its Content-Encoding expands more than 500× \(format\.max_ratio/);
    withinBounds(outcome);
    expect(outcome.lakeBytes).toBe(0);
  }, 90_000);

  it('a 500 MB single line in a JSON page stops at limits.max_page_bytes, without waiting for the 500 MB', async () => {
    const outcome = await extract('/long-line.json', 'json', '{ type: cursor, cursor: $.next, param: after }');
    expect(outcome.error).toMatch(/larger than limits\.max_page_bytes/);
    withinBounds(outcome);
  }, 90_000);

  it('a server trickling one byte a second (never idle long enough to time out) hits limits.request_deadline', async () => {
    const outcome = await extract('/trickle.csv', 'csv', '{ type: none }', SHORT_DEADLINE);
    expect(outcome.error).toMatch(/did not finish within limits\.request_deadline \(3 s; \d+ bytes had arrived\)/);
    withinBounds(outcome);
  }, 90_000);
});
