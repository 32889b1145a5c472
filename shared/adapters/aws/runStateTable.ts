import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single run-state table (DESIGN.md §2). serverless.yml declares the same keys; the tests
 * create it in dynalite from this definition.
 *
 * | pk | sk | item |
 * |---|---|---|
 * | `RUN#{runId}` | `META` | run (also on index `gsi1`: `RUNS` / `{startedAt}#{runId}` for newest-first listing) |
 * | `RUN#{runId}` | `ITEM#{itemId}` | item progress |
 * | `RUN#{runId}` | `PIECES#{itemId}` | pieces of an item split into byte ranges that are transformed (a number set) |
 * | `CURSOR#{client}#{source}#{stream}` | `{partition}` | incremental cursor |
 * | `LATEST#LOAD` | `{client}#{source}#{stream}#{partition}` | copy of the newest loaded item per partition |
 * | `FAILURE#{client}#{source}#{stream}` | `{partition}` | newest failure per partition (run, time, error) |
 * | `CRED#{client}#{source}` | `CURRENT` | envelope-encrypted credential (`CRED#@shared#{name}`: a shared one) |
 * | `DISCOVERY#{client}#{source}#{stream}` | `CURRENT` | partitions Plan last discovered (`partition.from_stream`) |
 */
export const RUNS_INDEX = 'gsi1';

export const runStateKeys = {
  run: (runId: string) => ({ pk: `RUN#${runId}`, sk: 'META' }),
  item: (runId: string, itemId: string) => ({ pk: `RUN#${runId}`, sk: `ITEM#${itemId}` }),
  pieces: (runId: string, itemId: string) => ({ pk: `RUN#${runId}`, sk: `PIECES#${itemId}` }),
  cursor: (client: string, source: string, stream: string, partition: string) => ({
    pk: `CURSOR#${client}#${source}#${stream}`,
    sk: partition,
  }),
  latestLoad: (client: string, source: string, stream: string, partition: string) => ({
    pk: 'LATEST#LOAD',
    sk: `${client}#${source}#${stream}#${partition}`,
  }),
  /** Prefix of {@link runStateKeys.latestLoad}'s sort key shared by one stream's partitions. */
  latestLoadStreamPrefix: (client: string, source: string, stream: string) => `${client}#${source}#${stream}#`,
  failure: (client: string, source: string, stream: string, partition: string) => ({
    pk: `FAILURE#${client}#${source}#${stream}`,
    sk: partition,
  }),
  credential: (client: string, source: string) => ({ pk: `CRED#${client}#${source}`, sk: 'CURRENT' }),
  discovery: (client: string, source: string, stream: string) => ({
    pk: `DISCOVERY#${client}#${source}#${stream}`,
    sk: 'CURRENT',
  }),
  runsIndexPk: 'RUNS',
} as const;

/** CreateTable input for the run-state table (on-demand billing). */
export function runStateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: RUNS_INDEX,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
