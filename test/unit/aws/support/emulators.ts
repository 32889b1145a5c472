import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { runStateTableDefinition } from '../../../../shared/adapters/aws';

/** Dummy credentials: the emulators accept any, and the SDK must not look for real ones. */
export const emulatorCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const emulatorRegion = 'us-east-1';

export interface RunningEmulator {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts s3rver on a free port with `buckets` created, storing objects in a temp directory. */
export async function startS3rver(buckets: string[]): Promise<RunningEmulator> {
  const directory = mkdtempSync(join(tmpdir(), 'dif-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Starts dynalite (in memory) on a free port and creates the run-state table `tableName`. */
export async function startDynalite(tableName: string): Promise<RunningEmulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) =>
    server.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve())),
  );
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynamoClient(endpoint);
  await client.send(new CreateTableCommand(runStateTableDefinition(tableName)));
  client.destroy();
  return { endpoint, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An S3 client for s3rver: path-style URLs, and no flexible checksums (s3rver predates them). */
export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: emulatorRegion,
    credentials: emulatorCredentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: emulatorRegion, credentials: emulatorCredentials });
}

export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
}
