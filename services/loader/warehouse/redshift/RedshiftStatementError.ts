/**
 * A Redshift Data API statement ended FAILED or ABORTED (or never finished). Retryable: the
 * message is redelivered, and the load's ledger guard makes a repeat harmless. Carries the
 * failing statement so the cause is readable in the DLQ and the Step Functions console.
 */
export class RedshiftStatementError extends Error {
  constructor(
    readonly status: string,
    readonly statement: string | undefined,
    readonly detail: string,
    /** Redshift's query id of the failing statement, the key of sys_load_error_detail. */
    readonly queryId?: number,
  ) {
    super(`Redshift statement ${status}: ${detail}${statement ? ` — in: ${truncate(statement)}` : ''}`);
    this.name = 'RedshiftStatementError';
  }
}

function truncate(sql: string): string {
  return sql.length > 400 ? `${sql.slice(0, 400)}…` : sql;
}
