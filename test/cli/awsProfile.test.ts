import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main';
import { DynamoRunStateStore } from '../../shared/adapters/aws/DynamoRunStateStore';
import {
  documentClient,
  emulatorCredentials,
  startDynalite,
  type RunningEmulator,
} from '../unit/aws/support/emulators';
import { runCli } from './support/runCli';
import { FULL_PIPELINE, seedRunWith } from './support/seedRunState';

/**
 * The same operating commands on the aws profile (DIF_PROFILE=aws): run state in DynamoDB
 * (dynalite), read through DynamoRunStateStore, with no data directory involved.
 */
const TABLE = 'dif-cli-state';
const ident = { client: 'acme', source: 'ads' };
let dynamo: RunningEmulator;
let dir: string;
const saved = { ...process.env };
const dif = (...args: string[]) => runCli(buildProgram, args);

beforeAll(async () => {
  dynamo = await startDynalite(TABLE);
  dir = mkdtempSync(join(tmpdir(), 'dif-cli-aws-'));
  mkdirSync(join(dir, 'sources'));
  mkdirSync(join(dir, 'clients'));
  writeFileSync(
    join(dir, 'sources', 'ads.yml'),
    'name: ads\nbase_url: https://ads.example.com\nstreams:\n  campaigns:\n    request: { path: /campaigns }\n    records: $.data\n    columns: { id: bigint }\n    primary_key: [id]\n    load: { table: campaigns, mode: merge }\n',
  );
  writeFileSync(join(dir, 'clients', 'acme.yml'), 'client: acme\nsla: { fresh_within: 1h }\nsources:\n  ads: {}\n');
  Object.assign(process.env, {
    DIF_PROFILE: 'aws',
    DIF_TABLE: TABLE,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  });
  const client = documentClient(dynamo.endpoint);
  await seedRunWith(
    (now) => new DynamoRunStateStore({ client, tableName: TABLE, now }),
    {
      runId: 'run-aws-1',
      status: 'failed',
      startedAt: '2026-01-15T06:00:00.000Z',
      finishedAt: '2026-01-15T06:00:30.000Z',
    },
    [
      {
        itemId: 'i1',
        ...ident,
        stream: 'campaigns',
        partition: 'all',
        stages: FULL_PIPELINE,
        final: { pages: 2, recordsIn: 5, recordsOut: 5, rowsLoaded: 5, table: 'acme.campaigns' },
      },
      {
        itemId: 'i2',
        ...ident,
        stream: 'campaigns',
        partition: 'account=7',
        stages: ['planned', 'extracting', 'failed'],
        final: { error: 'Extract.AuthError: token expired; run dif credentials put' },
      },
    ],
  );
  client.destroy();
});

afterAll(async () => {
  process.env = saved;
  await dynamo?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DIF_PROFILE=aws', () => {
  it('lists and shows runs from DynamoDB', async () => {
    const list = await dif('runs', 'list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ runId: 'run-aws-1', status: 'failed', items: 2, ok: 1, failed: 1, rowsLoaded: 5 }),
    ]);
    const show = await dif('runs', 'show', 'run-aws-1');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/acme\/ads\/campaigns\/account=7\s+failed\s+.*Extract\.AuthError: token expired/);
    expect(await dif('runs', 'show', 'run-missing')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`run run-missing not found in DynamoDB table ${TABLE}`),
    });
  });

  it('reports freshness from the latest loads in DynamoDB (late: loaded long ago against a 1h SLA)', async () => {
    const status = await dif('status', '--config', dir, '--json');
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).streams).toEqual([
      expect.objectContaining({
        client: 'acme',
        source: 'ads',
        stream: 'campaigns',
        state: 'late',
        rows: 5,
        partitions: 1,
        lastRunId: 'run-aws-1',
        freshWithin: '1h',
      }),
    ]);
  });

  it('writes the HTML report of a DynamoDB run', async () => {
    const file = join(dir, 'report.html');
    expect((await dif('report', 'run-aws-1', '--out', file)).code).toBe(0);
    expect(readFileSync(file, 'utf8').match(/<g class="bar"/g)).toHaveLength(2);
  });

  it('names the missing variable instead of failing obscurely, and refuses --drain', async () => {
    const list = await dif('dlq', 'list');
    expect(list).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('environment variable DIF_TRANSFORM_QUEUE_URL is not set'),
    });
    const drain = await dif('dlq', 'replay', '--stage', 'load', '--drain');
    expect(drain).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'on the aws profile the deployed transform and load functions consume the queues',
      ),
    });
  });

  it('rejects an unknown profile', async () => {
    process.env.DIF_PROFILE = 'gcp';
    try {
      expect(await dif('runs', 'list')).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('DIF_PROFILE must be one of local, aws, got "gcp"'),
      });
    } finally {
      process.env.DIF_PROFILE = 'aws';
    }
  });
});
