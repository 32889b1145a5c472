import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type {
  CursorKey,
  CursorRecord,
  DiscoveryRecord,
  ItemPatch,
  ItemRecord,
  ItemStage,
  PartitionHistory,
  RunRecord,
  RunStateStore,
  StreamKey,
} from '../../ports';
import { isAwsError } from './awsErrors';
import { ItemIdentityMissingError, RunNotFoundError } from './errors';
import { RUNS_INDEX, runStateKeys } from './runStateTable';

/** Largest discovered-partition list one stream may record (a DynamoDB item is at most 400 KB). */
const MAX_DISCOVERY_BYTES = 350_000;

export interface DynamoRunStateStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  now?: () => Date;
}

const IDENTITY_FIELDS = ['client', 'source', 'stream', 'partition'] as const;
const STAGE_TIME_PREFIX = 'stageTime_';
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'kind']);

/**
 * Run state in one DynamoDB table (see {@link runStateTableDefinition}). Item updates are single
 * UpdateItem calls, so stages writing different counters of one item never overwrite each other;
 * cursors advance with conditional writes.
 *
 * @example
 * const store = new DynamoRunStateStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({})), tableName: 'dif-dev-state' });
 * await store.updateItem(runId, itemId, { stage: 'extracted', pages: 12 });
 */
export class DynamoRunStateStore implements RunStateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: DynamoRunStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  async createRun(run: RunRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runStateKeys.run(run.runId),
          kind: 'run',
          gsi1pk: runStateKeys.runsIndexPk,
          gsi1sk: `${run.startedAt}#${run.runId}`,
          ...dropUndefined(run),
        },
      }),
    );
  }

  async updateRun(runId: string, patch: Partial<Omit<RunRecord, 'runId'>>): Promise<void> {
    const fields: Record<string, unknown> = { ...patch };
    if (fields.startedAt !== undefined) fields.gsi1sk = `${String(fields.startedAt)}#${runId}`;
    if (Object.keys(fields).length === 0) {
      if (!(await this.getRun(runId))) throw new RunNotFoundError(runId);
      return;
    }
    const update = setExpression(fields);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKeys.run(runId),
          UpdateExpression: update.expression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: Object.keys(update.values).length > 0 ? update.values : undefined,
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new RunNotFoundError(runId);
      throw error;
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const response = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runStateKeys.run(runId), ConsistentRead: true }),
    );
    return response.Item ? toRun(response.Item) : undefined;
  }

  async listRuns(limit = 50): Promise<RunRecord[]> {
    const response = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: RUNS_INDEX,
        KeyConditionExpression: 'gsi1pk = :runs',
        ExpressionAttributeValues: { ':runs': runStateKeys.runsIndexPk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (response.Items ?? []).map(toRun);
  }

  async updateItem(runId: string, itemId: string, patch: ItemPatch): Promise<ItemRecord> {
    const now = this.now().toISOString();
    // A field patched to undefined is removed (e.g. `error` once a retry succeeds).
    const fields: Record<string, unknown> = { ...patch, updatedAt: now };
    if (patch.stage) fields[`${STAGE_TIME_PREFIX}${patch.stage}`] = now;
    // Attempts are never removed: an undefined value means "leave as is".
    if (fields.attempts === undefined) delete fields.attempts;
    const hasIdentity = IDENTITY_FIELDS.every((field) => typeof patch[field] === 'string');
    const update = setExpression(fields, { runId, itemId, kind: 'item' });
    // `attempts` defaults to 0 on creation without overwriting a later value.
    if (fields.attempts === undefined) {
      update.expression += ', #attempts = if_not_exists(#attempts, :zero)';
      update.names['#attempts'] = 'attempts';
      update.values[':zero'] = 0;
    }
    let attributes: Record<string, unknown>;
    try {
      const response = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKeys.item(runId, itemId),
          UpdateExpression: update.expression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ConditionExpression: hasIdentity ? undefined : 'attribute_exists(pk)',
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = response.Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error)) throw new ItemIdentityMissingError(runId, itemId);
      throw error;
    }
    const item = toItem(attributes);
    if (patch.stage === 'loaded') await this.recordLatestLoad(item);
    if (patch.stage === 'failed') await this.recordFailure(item);
    return item;
  }

  async getItem(runId: string, itemId: string): Promise<ItemRecord | undefined> {
    const response = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: runStateKeys.item(runId, itemId), ConsistentRead: true }),
    );
    return response.Item ? toItem(response.Item) : undefined;
  }

  async listItems(runId: string): Promise<ItemRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :item)',
      ExpressionAttributeValues: { ':pk': runStateKeys.run(runId).pk, ':item': 'ITEM#' },
    });
    return items.map(toItem);
  }

  async listLatestLoads(): Promise<ItemRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runStateKeys.latestLoad('', '', '', '').pk },
    });
    return items.map(toItem);
  }

  /** Two key queries: the stream's slice of `LATEST#LOAD`, and its `FAILURE#` partition. */
  async listPartitionHistory(key: StreamKey): Promise<PartitionHistory[]> {
    const prefix = runStateKeys.latestLoadStreamPrefix(key.client, key.source, key.stream);
    const loads = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': runStateKeys.latestLoad('', '', '', '').pk, ':prefix': prefix },
    });
    const failures = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': runStateKeys.failure(key.client, key.source, key.stream, '').pk },
    });
    const history = new Map<string, PartitionHistory>();
    const entry = (partition: string) =>
      history.get(partition) ?? history.set(partition, { partition }).get(partition)!;
    for (const load of loads.map(toItem)) {
      Object.assign(entry(load.partition), {
        loadedAt: load.stageTimes.loaded ?? load.updatedAt,
        loadedRunId: load.runId,
      });
    }
    for (const failure of failures) {
      Object.assign(entry(String(failure.sk)), {
        failedAt: failure.failedAt,
        failedRunId: failure.runId,
        ...(typeof failure.error === 'string' ? { error: failure.error } : {}),
      });
    }
    return [...history.values()].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
  }

  async getDiscovery(stream: StreamKey): Promise<DiscoveryRecord | undefined> {
    const response = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runStateKeys.discovery(stream.client, stream.source, stream.stream),
        ConsistentRead: true,
      }),
    );
    if (!response.Item) return undefined;
    const { values, found, discoveredAt, runId } = response.Item as DiscoveryRecord;
    return { client: stream.client, source: stream.source, stream: stream.stream, values, found, discoveredAt, runId };
  }

  async putDiscovery(record: DiscoveryRecord): Promise<void> {
    const { client, source, stream, values, found, discoveredAt, runId } = record;
    // A DynamoDB item holds at most 400 KB: thousands of accounts fit, a runaway discovery does not.
    const bytes = Buffer.byteLength(JSON.stringify(values));
    if (bytes > MAX_DISCOVERY_BYTES)
      throw new Error(
        `the ${values.length} partitions discovered for ${client}/${source}/${stream} take ${bytes} bytes, more than run state keeps per stream (${MAX_DISCOVERY_BYTES}); narrow them with partition.include/exclude`,
      );
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...runStateKeys.discovery(client, source, stream),
          kind: 'discovery',
          client,
          source,
          stream,
          values,
          found,
          discoveredAt,
          runId,
        },
      }),
    );
  }

  async getCursor(key: CursorKey): Promise<CursorRecord | undefined> {
    const response = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runStateKeys.cursor(key.client, key.source, key.stream, key.partition),
        ConsistentRead: true,
      }),
    );
    if (!response.Item) return undefined;
    const { client, source, stream, partition, value, updatedAt, runId } = response.Item as CursorRecord;
    return { client, source, stream, partition, value, updatedAt, runId };
  }

  async putCursor(record: Omit<CursorRecord, 'updatedAt'>, expected?: string | null): Promise<boolean> {
    const condition =
      expected === undefined
        ? {}
        : expected === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#value = :expected',
              ExpressionAttributeNames: { '#value': 'value' },
              ExpressionAttributeValues: { ':expected': expected },
            };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...runStateKeys.cursor(record.client, record.source, record.stream, record.partition),
            kind: 'cursor',
            client: record.client,
            source: record.source,
            stream: record.stream,
            partition: record.partition,
            value: record.value,
            runId: record.runId,
            updatedAt: this.now().toISOString(),
          },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * One UpdateItem adding the piece to a number set (`ADD` of an element already there changes
   * nothing) and returning the set after it: atomic, idempotent per piece.
   */
  async finishPiece(runId: string, itemId: string, piece: number): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runStateKeys.pieces(runId, itemId),
        UpdateExpression: 'ADD finished :piece SET kind = :kind',
        ExpressionAttributeValues: { ':piece': new Set([piece]), ':kind': 'pieces' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return (result.Attributes?.finished as Set<number> | undefined)?.size ?? 0;
  }

  /** Keeps the newest loaded item per partition; an older item arriving late never replaces it. */
  private async recordLatestLoad(item: ItemRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...runStateKeys.latestLoad(item.client, item.source, item.stream, item.partition),
            kind: 'latest-load',
            ...fromItem(item),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR updatedAt <= :updatedAt',
          ExpressionAttributeValues: { ':updatedAt': item.updatedAt },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
  }

  /**
   * Keeps the newest failure per partition, so gaps can say why a partition never loaded. An
   * UpdateItem (which creates the record) rather than a Put: every stage that fails items may
   * already update run state, and needs no further permission for it.
   */
  private async recordFailure(item: ItemRecord): Promise<void> {
    const failedAt = item.stageTimes.failed ?? item.updatedAt;
    const update = setExpression({
      kind: 'failure',
      runId: item.runId,
      itemId: item.itemId,
      failedAt,
      error: item.error,
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: runStateKeys.failure(item.client, item.source, item.stream, item.partition),
          UpdateExpression: update.expression,
          ExpressionAttributeNames: { ...update.names, '#failedAt': 'failedAt' },
          ExpressionAttributeValues: { ...update.values, ':failedAt': failedAt },
          ConditionExpression: 'attribute_not_exists(pk) OR #failedAt <= :failedAt',
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
  }

  private async queryAll(input: {
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ...input, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

interface SetExpression {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || isAwsError(error, 'ConditionalCheckFailedException');
}

/**
 * `SET #a = :a, … REMOVE #b` over `fields` (undefined values are removed); `onCreate` fields are
 * written only when absent.
 */
function setExpression(fields: Record<string, unknown>, onCreate: Record<string, unknown> = {}): SetExpression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts: string[] = [];
  const removed: string[] = [];
  let index = 0;
  for (const [name, value] of Object.entries(fields)) {
    names[`#f${index}`] = name;
    if (value === undefined) removed.push(`#f${index}`);
    else {
      values[`:f${index}`] = value;
      parts.push(`#f${index} = :f${index}`);
    }
    index += 1;
  }
  for (const [name, value] of Object.entries(onCreate)) {
    names[`#f${index}`] = name;
    values[`:f${index}`] = value;
    parts.push(`#f${index} = if_not_exists(#f${index}, :f${index})`);
    index += 1;
  }
  // The caller may append further SET clauses, so REMOVE goes first.
  const remove = removed.length > 0 ? `REMOVE ${removed.join(', ')} ` : '';
  const set = parts.length > 0 ? `SET ${parts.join(', ')}` : '';
  return { expression: `${remove}${set}`.trim(), names, values };
}

function dropUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

function toRun(attributes: Record<string, unknown>): RunRecord {
  const run = Object.fromEntries(Object.entries(attributes).filter(([key]) => !KEY_ATTRIBUTES.has(key)));
  return run as unknown as RunRecord;
}

function toItem(attributes: Record<string, unknown>): ItemRecord {
  const stageTimes: Partial<Record<ItemStage, string>> = {};
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (KEY_ATTRIBUTES.has(key)) continue;
    if (key.startsWith(STAGE_TIME_PREFIX))
      stageTimes[key.slice(STAGE_TIME_PREFIX.length) as ItemStage] = value as string;
    else record[key] = value;
  }
  return { ...record, stageTimes } as unknown as ItemRecord;
}

function fromItem(item: ItemRecord): Record<string, unknown> {
  const { stageTimes, ...rest } = item;
  const flat: Record<string, unknown> = dropUndefined(rest);
  for (const [stage, time] of Object.entries(stageTimes)) flat[`${STAGE_TIME_PREFIX}${stage}`] = time;
  return flat;
}
