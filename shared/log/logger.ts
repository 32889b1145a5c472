import { Console } from 'node:console';
import type { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { redact } from './secretRedactor';

const SECRET_KEY_NAMES =
  /^(authorization|password|secret|client_secret|access_token|refresh_token|api_key|apikey|token|x-api-key)$/i;

/**
 * The one structured JSON logger (Lambda Powertools). Every line is scrubbed of registered
 * secret values and of fields with secret-looking names. Services add `runId`/`itemId` with
 * `logger.appendKeys` at the start of each message they handle.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'dif',
  jsonReplacerFn: (key: string, value: unknown) => {
    if (SECRET_KEY_NAMES.test(key) && typeof value === 'string') return '[REDACTED]';
    return typeof value === 'string' ? redact(value) : value;
  },
});

/**
 * Sends log lines to `stream` instead of stdout, so the local runtime can keep the terminal for
 * progress and write the JSON log to `.dif/logs/`. Powertools exposes no option for this; its
 * `console` field is the documented seam its own tests use.
 */
export function redirectLogs(stream: Writable): void {
  (logger as unknown as { console: Console }).console = new Console({ stdout: stream, stderr: stream });
}
