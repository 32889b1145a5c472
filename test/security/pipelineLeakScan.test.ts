/**
 * Issue 8, "Done when" (second bullet): run the whole local pipeline with credentials on every
 * demo source, then look for every secret value — as is and in every common encoding (issue 14
 * §6: support/secretForms.ts) — in every log
 * line, every stored object (decompressed), every file of the data directory (run state,
 * queues and DLQs, secrets, warehouse), every row of the SQLite databases, every message a
 * queue consumer handled and every input and output of the state machine's Task states.
 * Zero hits, or the test names each one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRuntime } from '../../profiles/local/LocalRuntime';
import { demoSourcesOf, prepareDemoEnvironment } from '../../profiles/local/demoEnvironment';
import type { IngestResult, TaskHandler } from '../../profiles/local/ingestStateMachine';
import type { DemoApi } from '../../demo';
import { redirectLogs } from '../../shared/log/logger';
import { credentialKeyOf } from '../../shared/config/credentialKey';
import type { StageHandler } from '../../shared/runtime/consumeMessage';
import { makeTempDir } from '../unit/credentials/support/tempDir';
import { secretForms } from './support/secretForms';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Evidence {
  where: string;
  text: string;
}

/** Every byte sequence that would reveal `value`: as is, and in each encoding an API or library may use. */
const formsOf = secretForms;

/** The readable content of a stored file: gzip and zip are opened, the rest read as bytes. */
function contentsOf(bytes: Buffer): string[] {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return [gunzipSync(bytes).toString('latin1')];
    } catch {
      return [bytes.toString('latin1')];
    }
  }
  if (bytes.length >= 30 && bytes.readUInt32LE(0) === 0x04034b50)
    return [bytes.toString('latin1'), ...zipEntries(bytes)];
  return [bytes.toString('latin1')];
}

/** Local file entries of a zip, inflated (stored and deflate are what APIs send). */
function zipEntries(bytes: Buffer): string[] {
  const entries: string[] = [];
  let offset = 0;
  while (offset + 30 <= bytes.length && bytes.readUInt32LE(offset) === 0x04034b50) {
    const method = bytes.readUInt16LE(offset + 8);
    const compressedSize = bytes.readUInt32LE(offset + 18);
    const start = offset + 30 + bytes.readUInt16LE(offset + 26) + bytes.readUInt16LE(offset + 28);
    const data = bytes.subarray(start, start + compressedSize);
    try {
      entries.push((method === 8 ? inflateRawSync(data) : data).toString('latin1'));
    } catch {
      // A streamed entry (sizes in a trailing descriptor) cannot be cut out this way; its raw bytes are still scanned.
    }
    if (compressedSize === 0) break;
    offset = start + compressedSize;
  }
  return entries;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Every cell of every table, so values split across SQLite pages are still seen whole. */
function sqliteRows(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables
      .map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all()))
      .join('\n');
  } finally {
    db.close();
  }
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const originals = new Map<string, unknown>();

/** Stray console output and direct stdout/stderr writes are scanned as log lines too. */
function captureConsole(lines: string[]): void {
  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      lines.push(args.map((arg) => (typeof arg === 'string' ? arg : (JSON.stringify(arg) ?? String(arg)))).join(' '));
      original.apply(console, args);
    };
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    originals.set(stream === process.stdout ? 'stdout' : 'stderr', write);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(Buffer.from(chunk).toString('utf8'));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  }
}

function restoreConsole(): void {
  for (const method of CONSOLE_METHODS) console[method] = originals.get(method) as (typeof console)[typeof method];
  process.stdout.write = originals.get('stdout') as typeof process.stdout.write;
  process.stderr.write = originals.get('stderr') as typeof process.stderr.write;
}

describe('full local pipeline leaks no credential', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let runtime: LocalRuntime;
  let demo: DemoApi | undefined;
  let result: IngestResult;
  let runId: string;
  const secrets = new Set<string>();
  const logLines: string[] = [];
  const transitions: Evidence[] = [];

  const observeTask =
    (state: string, handler: TaskHandler): TaskHandler =>
    async (ctx, input) => {
      transitions.push({ where: `state ${state} input`, text: JSON.stringify(input) });
      const output = await handler(ctx, input);
      transitions.push({ where: `state ${state} output`, text: JSON.stringify(output ?? null) });
      return output;
    };
  const observeStage =
    (stage: string, handler: StageHandler): StageHandler =>
    async (ctx, delivery) => {
      transitions.push({ where: `${stage} message ${delivery.id}`, text: JSON.stringify(delivery) });
      await handler(ctx, delivery);
    };

  beforeAll(async () => {
    temp = await makeTempDir('leakscan');
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    redirectLogs(sink);
    captureConsole(logLines);

    const dataDir = join(temp.dir, '.dif');
    runtime = await LocalRuntime.open({
      configDir: PROJECT_ROOT,
      dataDir,
      backoff: { baseSeconds: 0.2, maxSeconds: 0.2 },
      ingest: { itemTimeoutMs: 120_000, retryIntervalScale: 0.01, maxWaitSeconds: 0 },
      decorate: { task: observeTask, stage: observeStage },
    });
    demo = await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
    for (const meta of await runtime.credentials.list()) {
      for (const value of Object.values(await runtime.credentials.get(meta.client, meta.source))) secrets.add(value);
    }

    const outcome = await runtime.run({}, undefined, 'pipelineLeakScan');
    ({ runId, result } = outcome);
    transitions.push({ where: 'execution input', text: JSON.stringify(outcome.input) });
    transitions.push({ where: 'execution result', text: JSON.stringify(result) });
    // Rotated tokens (OAuth sources) are secrets too: add whatever is stored now.
    runtime.credentials.invalidate();
    for (const meta of await runtime.credentials.list()) {
      for (const value of Object.values(await runtime.credentials.get(meta.client, meta.source))) secrets.add(value);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }, 240_000);

  afterAll(async () => {
    restoreConsole();
    await demo?.close();
    await runtime?.close();
    await temp?.remove();
  });

  const hitsIn = (evidence: Evidence[]): string[] =>
    evidence.flatMap(({ where, text }) =>
      [...secrets].flatMap((secret) =>
        formsOf(secret)
          .filter((form) => text.includes(form))
          .map(() => `${where} contains the value of a credential (${secret.length} chars)`),
      ),
    );

  it('ran every demo source with its credentials to a successful end', async () => {
    const demoSources = demoSourcesOf(runtime.ctx.config);
    expect(demoSources.length).toBeGreaterThan(0);
    const stored = await runtime.credentials.list();
    for (const client of runtime.ctx.config.clients.values()) {
      for (const source of Object.keys(client.sources).filter((name) => demoSources.includes(name))) {
        // A client source that references a shared login (credentials: { ref }) uses that record.
        const key = credentialKeyOf(client.client, source, client.sources[source]);
        expect(
          stored.some((meta) => meta.client === key.client && meta.source === key.source),
          `${client.client}/${source} has credentials`,
        ).toBe(true);
      }
    }
    expect(secrets.size).toBeGreaterThan(0);
    expect(result.status, JSON.stringify(result)).toBe('succeeded');
    const items = await runtime.ctx.ports.runState.listItems(runId);
    expect(items.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('no log line carries a credential', () => {
    expect(hitsIn(logLines.map((text, index) => ({ where: `log line ${index + 1}`, text })))).toEqual([]);
  });

  it('no state-machine input or output and no queue message carries a credential', () => {
    // The scan saw every kind of hand-off, so "no hits" means something.
    for (const where of [
      'state plan output',
      'state extract input',
      'state finalize output',
      'transform message',
      'load message',
    ]) {
      expect(
        transitions.some((evidence) => evidence.where.startsWith(where)),
        where,
      ).toBe(true);
    }
    expect(hitsIn(transitions)).toEqual([]);
  });

  it('no file in the data directory carries a credential: objects, run state, queues, secrets, warehouse', async () => {
    const dataDir = join(temp.dir, '.dif');
    const files = await filesUnder(dataDir);
    expect(files.some((file) => relative(dataDir, file).startsWith('lake/raw/'))).toBe(true);
    const evidence: Evidence[] = [];
    for (const file of files) {
      const bytes = await readFile(file);
      if (bytes.length === 0) continue;
      for (const text of contentsOf(bytes)) evidence.push({ where: relative(dataDir, file), text });
      if (file.endsWith('.db')) evidence.push({ where: `${relative(dataDir, file)} (rows)`, text: sqliteRows(file) });
    }
    expect(
      evidence
        .filter((entry) => entry.where.endsWith('(rows)'))
        .map((entry) => entry.where)
        .sort(),
    ).toEqual(expect.arrayContaining(['queues.db (rows)', 'secrets.db (rows)', 'state.db (rows)']));
    expect(hitsIn(evidence)).toEqual([]);
  });
});
