import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from '@smithy/core/client';

/** One AWS API call as the SDK sent it. */
export interface RecordedCall {
  /** Who made it: the function whose invocation was running, or 'test'. */
  caller: string;
  /** The SDK client: `S3Client`, `SQSClient`, `DynamoDBClient`, `KMSClient`, `SFNClient`, … */
  client: string;
  /** The API operation: `PutObject`, `SendMessage`, `GetItem`, … */
  operation: string;
  input: Record<string, unknown>;
}

const callers = new AsyncLocalStorage<string>();
const instrumented = new WeakSet<object>();
export const recordedCalls: RecordedCall[] = [];

/** Runs `work` as `caller`: every AWS call made inside it, however deep, is recorded under that name. */
export function callingAs<T>(caller: string, work: () => Promise<T>): Promise<T> {
  return callers.run(caller, work);
}

/**
 * Records every AWS SDK v3 call in this process: each client, on its first send, gets a
 * middleware (initialize step) that notes the client, the operation and its input. Calls of the
 * DynamoDB document client are recorded as the DynamoDB operations they become (GetItem, not Get).
 */
export function recordAwsCalls(): void {
  const prototype = Client.prototype as unknown as { send: (...args: unknown[]) => unknown; __difRecorded?: boolean };
  if (prototype.__difRecorded) return;
  prototype.__difRecorded = true;
  const send = prototype.send;
  prototype.send = function (this: Client<never, never, never, never>, ...args: unknown[]) {
    if (!instrumented.has(this)) {
      instrumented.add(this);
      this.middlewareStack.add(
        (next, context) => async (middlewareArgs) => {
          const { clientName, commandName } = context as { clientName?: string; commandName?: string };
          recordedCalls.push({
            caller: callers.getStore() ?? 'test',
            client: clientName ?? 'unknown',
            operation: (commandName ?? 'unknown').replace(/Command$/, ''),
            input: (middlewareArgs.input ?? {}) as Record<string, unknown>,
          });
          return next(middlewareArgs);
        },
        { step: 'initialize', name: 'difRecordAwsCalls', priority: 'high' },
      );
    }
    return send.apply(this, args);
  };
}
