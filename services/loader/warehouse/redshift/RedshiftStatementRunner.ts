import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
  type Field,
  type RedshiftDataClient,
  type SqlParameter,
} from '@aws-sdk/client-redshift-data';
import { RedshiftStatementError } from './RedshiftStatementError';

/** Where statements run: a provisioned cluster or a serverless workgroup, with secret or IAM auth. */
export interface RedshiftTarget {
  database: string;
  /** Provisioned cluster (with `secretArn` or `dbUser` for temporary IAM credentials). */
  clusterIdentifier?: string;
  /** Serverless workgroup (with `secretArn`, or neither for the caller's IAM identity). */
  workgroupName?: string;
  secretArn?: string;
  dbUser?: string;
}

export interface PollOptions {
  /** First wait between DescribeStatement calls. Default 250 ms. */
  initialDelayMs?: number;
  /** Longest wait between calls. Default 5 s. */
  maxDelayMs?: number;
  /** Give up (and let the message be retried) after this long. Default 12 min, inside Lambda's 15. */
  timeoutMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** A finished statement as DescribeStatement reports it. */
export type FinishedStatement = DescribeStatementCommandOutput;

/**
 * Runs SQL through the Redshift Data API and waits for it: submit, then DescribeStatement with
 * exponential back-off until FINISHED; FAILED/ABORTED become {@link RedshiftStatementError}
 * naming the failing (sub-)statement.
 */
export class RedshiftStatementRunner {
  constructor(
    private readonly client: RedshiftDataClient,
    private readonly target: RedshiftTarget,
    private readonly poll: PollOptions = {},
  ) {
    if (!target.clusterIdentifier === !target.workgroupName) {
      throw new TypeError(
        'RedshiftWarehouse needs exactly one of clusterIdentifier (provisioned) or workgroupName (serverless)',
      );
    }
  }

  /** Runs one statement with `:name` parameters and returns its description when finished. */
  async execute(sql: string, parameters: Record<string, string> = {}): Promise<FinishedStatement> {
    const params: SqlParameter[] = Object.entries(parameters).map(([name, value]) => ({ name, value }));
    const { Id } = await this.client.send(
      new ExecuteStatementCommand({
        ...this.connection(),
        Sql: sql,
        ...(params.length > 0 ? { Parameters: params } : {}),
      }),
    );
    return this.waitFor(Id!, [sql]);
  }

  /** Runs statements as one transaction (BatchExecuteStatement) and waits for them. */
  async batch(sqls: string[], statementName?: string): Promise<FinishedStatement> {
    const { Id } = await this.client.send(
      new BatchExecuteStatementCommand({
        ...this.connection(),
        Sqls: sqls,
        ...(statementName ? { StatementName: statementName } : {}),
      }),
    );
    return this.waitFor(Id!, sqls);
  }

  /** Runs a query and returns its rows as objects keyed by column name (every page). */
  async rows(sql: string, parameters: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const finished = await this.execute(sql, parameters);
    if (!finished.HasResultSet) return [];
    const rows: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new GetStatementResultCommand({ Id: finished.Id, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      const names = (page.ColumnMetadata ?? []).map((column, i) => column.name ?? `column_${i}`);
      for (const record of page.Records ?? [])
        rows.push(Object.fromEntries(record.map((field, i) => [names[i], fieldValue(field)])));
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }

  private connection() {
    const { database, clusterIdentifier, workgroupName, secretArn, dbUser } = this.target;
    return {
      Database: database,
      ...(clusterIdentifier ? { ClusterIdentifier: clusterIdentifier } : {}),
      ...(workgroupName ? { WorkgroupName: workgroupName } : {}),
      ...(secretArn ? { SecretArn: secretArn } : {}),
      ...(dbUser && !secretArn ? { DbUser: dbUser } : {}),
    };
  }

  private async waitFor(id: string, sqls: string[]): Promise<FinishedStatement> {
    const sleep = this.poll.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = Date.now() + (this.poll.timeoutMs ?? 12 * 60_000);
    let delay = this.poll.initialDelayMs ?? 250;
    for (;;) {
      const described = await this.client.send(new DescribeStatementCommand({ Id: id }));
      if (described.Status === 'FINISHED') return described;
      if (described.Status === 'FAILED' || described.Status === 'ABORTED') throw failure(described, sqls);
      if (Date.now() >= deadline) {
        throw new RedshiftStatementError(
          'TIMEOUT',
          sqls[0],
          `statement ${id} still ${described.Status} after ${Math.round((this.poll.timeoutMs ?? 720_000) / 1000)} s; it may still commit — a retry is safe (the load ledger makes it a no-op)`,
        );
      }
      await sleep(delay);
      delay = Math.min(Math.round(delay * 1.6), this.poll.maxDelayMs ?? 5_000);
    }
  }
}

/** The failing sub-statement of a batch (or the statement itself), with its error. */
function failure(described: FinishedStatement, sqls: string[]): RedshiftStatementError {
  const failed = described.SubStatements?.find((sub) => sub.Status === 'FAILED' || sub.Status === 'ABORTED');
  const error =
    failed?.Error ??
    described.Error ??
    (described.Status === 'ABORTED' ? 'the statement was aborted (cancelled or its session ended)' : 'no error text');
  const statement = failed?.QueryString ?? described.QueryString ?? (sqls.length === 1 ? sqls[0] : undefined);
  const status = described.Status ?? 'FAILED';
  return new RedshiftStatementError(status, statement, error, failed?.RedshiftQueryId ?? described.RedshiftQueryId);
}

function fieldValue(field: Field): unknown {
  if (field.isNull) return null;
  return (
    field.stringValue ??
    field.longValue ??
    field.doubleValue ??
    field.booleanValue ??
    (field.blobValue ? Buffer.from(field.blobValue) : null)
  );
}
