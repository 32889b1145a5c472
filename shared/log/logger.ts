import { AsyncLocalStorage } from 'node:async_hooks';
import { Console } from 'node:console';
import type { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { redact } from './secretRedactor';

const SECRET_KEY_NAMES =
  /^(authorization|password|secret|client_secret|access_token|refresh_token|api_key|apikey|token|x-api-key)$/i;

/**
 * The process's root logger. Code logs through {@link logger}, which writes with the logger of the
 * current {@link withLogKeys} scope, so messages handled at once in one process (the local
 * runtime) each keep their own keys; `appendKeys` on a shared logger would mix them.
 */
const rootLogger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dif',
  jsonReplacerFn: (key: string, value: unknown) => {
    if (SECRET_KEY_NAMES.test(key) && typeof value === 'string') return '[REDACTED]';
    return typeof value === 'string' ? redact(value) : value;
  },
});

const scopedLogger = new AsyncLocalStorage<Logger>();

/**
 * The one structured JSON logger (Lambda Powertools). Every line is scrubbed of registered
 * secret values and of fields with secret-looking names. Handlers add `runId`/`itemId` with
 * {@link withLogKeys} around each message they handle.
 */
export const logger: Logger = new Proxy(rootLogger, {
  get(root, property) {
    const active = scopedLogger.getStore() ?? root;
    const value: unknown = Reflect.get(active, property);
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(active) : value;
  },
});

/**
 * Runs `work` with `keys` on every line it logs, including lines of what it awaits, and on
 * nothing else; scopes nest.
 *
 * @example
 * await withLogKeys({ runId, itemId, stage: 'load' }, () => load(ctx, delivery));
 */
export function withLogKeys<T>(keys: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  const parent = scopedLogger.getStore() ?? rootLogger;
  const child = parent.createChild({ persistentKeys: keys });
  consoleOf(child).console = consoleOf(rootLogger).console;
  return scopedLogger.run(child, work);
}

/** Powertools keeps its output in a `console` field it does not expose; its own tests use this seam. */
function consoleOf(target: Logger): { console: Console } {
  return target as unknown as { console: Console };
}

/**
 * Sends log lines to `stream` instead of stdout, so the local runtime can keep the terminal for
 * progress and write the JSON log to `.dif/logs/`. Powertools exposes no option for this; its
 * `console` field is the documented seam its own tests use.
 */
export function redirectLogs(stream: Writable): void {
  consoleOf(rootLogger).console = new Console({ stdout: stream, stderr: stream });
}
