/** Network-level failures that mean the warehouse server could not be reached at all. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '28P01',
  '28000',
  '3D000',
]);

/**
 * The PostgreSQL warehouse cannot be reached or refuses the login. Retryable (the server may be
 * restarting), but the message says which server and what to check, without the password.
 */
export class WarehouseUnreachableError extends Error {
  constructor(where: string, detail: string) {
    super(
      `cannot use the PostgreSQL warehouse at ${where}: ${detail}. Check DATABASE_URL (host, port, user, database) and that the server is running.`,
    );
    this.name = 'WarehouseUnreachableError';
  }

  /** Wraps `error` when it is a connection or login failure; returns it unchanged otherwise. */
  static wrap(error: unknown, connectionString: string): unknown {
    const code = (error as { code?: string }).code;
    if (!code || !UNREACHABLE_CODES.has(code)) return error;
    return new WarehouseUnreachableError(
      describeServer(connectionString),
      error instanceof Error ? error.message : String(error),
    );
  }
}

/** `user@host:port/database` of a connection string: enough to find the server, no password. */
function describeServer(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
