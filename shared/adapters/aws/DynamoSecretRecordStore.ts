import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SecretRecord, SecretRecordStore } from '../../ports';
import { isAwsError } from './awsErrors';
import { runStateKeys } from './runStateTable';

export interface DynamoSecretRecordStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Encrypted credentials as `CRED#{client}#{source}` / `CURRENT` items of the run-state table.
 * Every write is conditional on the previous version, so two workers rotating the same refresh
 * token cannot both win.
 *
 * @example
 * const stored = await new DynamoSecretRecordStore({ client, tableName }).put({ ...record, version: 2 });
 * if (!stored) // another worker rotated first: re-read and retry
 */
export class DynamoSecretRecordStore implements SecretRecordStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoSecretRecordStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(client: string, source: string): Promise<SecretRecord | undefined> {
    const response = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runStateKeys.credential(client, source), ConsistentRead: true }),
    );
    return response.Item ? toRecord(response.Item) : undefined;
  }

  async put(record: SecretRecord): Promise<boolean> {
    const condition =
      record.version <= 1
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :previous',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':previous': record.version - 1 },
          };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...runStateKeys.credential(record.client, record.source), kind: 'credential', ...toItem(record) },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || isAwsError(error, 'ConditionalCheckFailedException'))
        return false;
      throw error;
    }
  }

  /** Scans the table for credential items: an administrative listing (`dif credentials list`), not a hot path. */
  async list(): Promise<SecretRecord[]> {
    const records: SecretRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :cred) AND sk = :current',
          ExpressionAttributeValues: { ':cred': 'CRED#', ':current': 'CURRENT' },
          ExclusiveStartKey: start,
        }),
      );
      records.push(...(page.Items ?? []).map(toRecord));
      start = page.LastEvaluatedKey;
    } while (start);
    return records.sort((a, b) =>
      a.client === b.client ? a.source.localeCompare(b.source) : a.client.localeCompare(b.client),
    );
  }

  async delete(client: string, source: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: runStateKeys.credential(client, source) }),
    );
  }
}

function toItem(record: SecretRecord): Record<string, unknown> {
  const { client, source, version, ciphertext, encryptedDataKey, keyId, fields, createdAt, rotatedAt } = record;
  return { client, source, version, ciphertext, encryptedDataKey, keyId, fields, createdAt, rotatedAt };
}

function toRecord(item: Record<string, unknown>): SecretRecord {
  return {
    client: String(item.client),
    source: String(item.source),
    version: Number(item.version),
    ciphertext: String(item.ciphertext),
    encryptedDataKey: String(item.encryptedDataKey),
    keyId: String(item.keyId),
    fields: Array.isArray(item.fields) ? item.fields.map(String) : [],
    createdAt: String(item.createdAt),
    rotatedAt: String(item.rotatedAt),
  };
}
