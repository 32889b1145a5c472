import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { readIngestDefinition } from '../../profiles/local/ingestStateMachine';
import {
  LOCAL_MAP_RUN_RESOURCE,
  standInForDistributedMaps,
  type DistributedMapSpec,
} from '../../profiles/local/distributedMap/distributedMapStates';
import { MapRun } from '../../profiles/local/distributedMap/MapRun';
import { ExecutionStats } from '../../profiles/local/ExecutionStats';

const lake = mkdtempSync(join(tmpdir(), 'dif-dmap-'));
afterAll(() => rmSync(lake, { recursive: true, force: true }));
const store = new DirectoryObjectStore(lake);

/** A per-item flow of one Task (`Work`), bound below to a handler the test controls. */
const processor = {
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:work', End: true } },
} as unknown as StateMachineDefinition;

function spec(overrides: Partial<DistributedMapSpec> = {}): DistributedMapSpec {
  return {
    name: 'Each',
    itemProcessor: processor,
    itemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'shared.$': '$.shared' },
    readerConfig: { InputType: 'JSONL' },
    toleratedFailurePercentage: 100,
    hasResultWriter: true,
    label: 'Each',
    ...overrides,
  };
}

let files = 0;
async function itemFile(count: number): Promise<string> {
  const key = `runs/t${++files}/items.jsonl`;
  await store.put(key, Array.from({ length: count }, (_, n) => `${JSON.stringify({ n })}\n`).join(''));
  return key;
}

type Work = (input: { value: { n: number }; index: number; shared: string }) => Promise<unknown>;
function mapRun(overrides: Partial<DistributedMapSpec>, work: Work, stats?: ExecutionStats): MapRun {
  return new MapRun(spec(overrides), {
    store,
    childRunOptions: { overrides: { taskResourceLocalHandlers: { Work: work as never } } },
    stats,
  });
}

async function readJson<T>(key: string): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

interface Manifest {
  MapRunArn: string;
  ResultFiles: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]>;
}
interface ChildResult {
  Status: string;
  Input: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

describe('the local Distributed Map (aws-local-stepfunctions runs Map states inline only)', () => {
  it('stands in a Task for the Distributed Map of ingest.asl.yml, keeping its transitions and input/output processing', () => {
    const { definition, maps } = standInForDistributedMaps(readIngestDefinition());
    const map = maps.get('Ingest each item')!;
    expect(map.itemProcessor.StartAt).toBe('Async report?');
    expect(map).toMatchObject({
      readerConfig: { InputType: 'JSONL' },
      toleratedFailurePercentage: 100,
      hasResultWriter: true,
    });
    const stand = (definition.States as unknown as Record<string, Record<string, unknown>>)['Ingest each item']!;
    expect(stand).toMatchObject({
      Type: 'Task',
      Resource: LOCAL_MAP_RUN_RESOURCE,
      Parameters: {
        'input.$': '$',
        reader: { Bucket: '${LakeBucket}', 'Key.$': '$.items.key' },
        writer: { Bucket: '${LakeBucket}', 'Prefix.$': '$.items.resultsPrefix' },
        'maxConcurrency.$': '$.maxConcurrency',
      },
      ResultPath: '$.mapRun',
      Next: 'Finalize',
    });
    expect((stand.Catch as { Next: string }[])[0]!.Next).toBe('Finalize');
  });

  it('runs one child per JSON line with the ItemSelector applied, at most MaxConcurrency at once, and writes results as ResultWriter does', async () => {
    const key = await itemFile(25);
    let running = 0;
    let most = 0;
    const seen: unknown[] = [];
    const stats = new ExecutionStats();
    const output = (await mapRun(
      {},
      async (input) => {
        running++;
        most = Math.max(most, running);
        seen.push(input);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return { doubled: input.value.n * 2 };
      },
      stats,
    ).run({
      input: { shared: 'from the map input' },
      reader: { Bucket: 'lake', Key: key },
      writer: { Bucket: 'lake', Prefix: 'runs/t/map-results' },
      maxConcurrency: 4,
    })) as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    expect(most).toBe(4);
    expect(seen).toHaveLength(25);
    expect(seen).toContainEqual({ value: { n: 7 }, index: 7, shared: 'from the map input' });
    expect(stats.childExecutions).toBe(25);
    expect(output.ResultWriterDetails.Key).toMatch(/^runs\/t\/map-results\/[\w-]+\/manifest\.json$/);
    const manifest = await readJson<Manifest>(output.ResultWriterDetails.Key);
    expect(manifest.MapRunArn).toBe(output.MapRunArn);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
    expect(manifest.ResultFiles.SUCCEEDED[0]!.Key).toMatch(/\/SUCCEEDED_0\.json$/);
    const results = await readJson<ChildResult[]>(manifest.ResultFiles.SUCCEEDED[0]!.Key);
    expect(results).toHaveLength(25);
    expect(results.every((result) => result.Status === 'SUCCEEDED')).toBe(true);
    expect(results.map((result) => JSON.parse(result.Output!) as unknown)).toContainEqual({ doubled: 14 });
    expect((await store.head(manifest.ResultFiles.SUCCEEDED[0]!.Key))?.bytes).toBe(
      manifest.ResultFiles.SUCCEEDED[0]!.Size,
    );
  });

  it('with ToleratedFailurePercentage 100, runs every item and lists the failed children in FAILED_0.json with their error', async () => {
    const key = await itemFile(10);
    const output = (await mapRun({}, async (input) => {
      if (input.value.n % 3 === 0)
        throw Object.assign(new Error(`item ${input.value.n} broke`), { name: 'Work.Broken' });
      return { ok: input.value.n };
    }).run({
      input: { shared: 's' },
      reader: { Key: key },
      writer: { Prefix: 'runs/t2/map-results' },
      maxConcurrency: 3,
    })) as {
      ResultWriterDetails: { Key: string };
    };
    const manifest = await readJson<Manifest>(output.ResultWriterDetails.Key);
    const failed = await readJson<ChildResult[]>(manifest.ResultFiles.FAILED[0]!.Key);
    const succeeded = await readJson<ChildResult[]>(manifest.ResultFiles.SUCCEEDED[0]!.Key);
    expect(failed.map((result) => JSON.parse(result.Input) as unknown).sort()).toEqual(
      [0, 3, 6, 9].map((n) => ({ value: { n }, index: n, shared: 's' })).sort(),
    );
    expect(failed[0]).toMatchObject({
      Status: 'FAILED',
      Error: 'Work.Broken',
      Cause: expect.stringMatching(/^item \d broke$/),
    });
    expect(succeeded).toHaveLength(6);
  });

  it('fails the Map Run with States.ExceedToleratedFailureThreshold past the tolerated share, and stops starting children', async () => {
    const key = await itemFile(40);
    let started = 0;
    const failing = mapRun({ toleratedFailurePercentage: 10 }, async () => {
      started++;
      throw Object.assign(new Error('down'), { name: 'Work.Down' });
    });
    const error = await failing
      .run({
        input: { shared: 's' },
        reader: { Key: key },
        writer: { Prefix: 'runs/t3/map-results' },
        maxConcurrency: 2,
      })
      .then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
    expect(error?.name).toBe('States.ExceedToleratedFailureThreshold');
    expect(error?.message).toMatch(/ToleratedFailurePercentage 10/);
    expect(started).toBeLessThan(40);
    // No tolerance given: Step Functions' default is none.
    const strict = mapRun({ toleratedFailurePercentage: undefined }, async () => {
      throw new Error('one is enough');
    });
    await expect(
      strict.run({ input: { shared: 's' }, reader: { Key: await itemFile(3) }, maxConcurrency: 1 }),
    ).rejects.toMatchObject({
      name: 'States.ExceedToleratedFailureThreshold',
    });
  });

  it('fails with States.ItemReaderFailed, naming the key, when the item file is missing or not JSON Lines', async () => {
    await expect(
      mapRun({}, async () => ({})).run({ input: { shared: 's' }, reader: { Key: 'runs/none/items.jsonl' } }),
    ).rejects.toMatchObject({
      name: 'States.ItemReaderFailed',
      message: expect.stringContaining('runs/none/items.jsonl'),
    });
    await store.put('runs/bad/items.jsonl', '{"n":1}\nnot json\n');
    await expect(
      mapRun({}, async () => ({})).run({ input: { shared: 's' }, reader: { Key: 'runs/bad/items.jsonl' } }),
    ).rejects.toMatchObject({
      name: 'States.ItemReaderFailed',
      message: expect.stringMatching(/line 2 of runs\/bad\/items\.jsonl is not JSON/),
    });
  });

  it('without a ResultWriter returns the outputs in item order, as Step Functions does', async () => {
    const key = await itemFile(5);
    const output = await mapRun({ hasResultWriter: false }, async (input) => {
      await new Promise((resolve) => setTimeout(resolve, (5 - input.value.n) * 3));
      return input.value.n;
    }).run({ input: { shared: 's' }, reader: { Key: key }, maxConcurrency: 5 });
    expect(output).toEqual([0, 1, 2, 3, 4]);
  });
});
