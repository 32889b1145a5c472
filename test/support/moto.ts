import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/**
 * moto_server (the AWS emulator, `scripts/ensure-services.sh`) as the aws-profile suites use it.
 * `motoUrl` is '' when none is running; wrap suites in `describe.skipIf(!motoUrl)`.
 */
export const motoUrl: string = inject('motoUrl');

export const MOTO_REGION = 'eu-west-1';
export const MOTO_ACCOUNT = '123456789012';
/** moto accepts any credentials; fixed ones keep the SDK from looking for real ones. */
export const motoCredentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };

/** SDK client settings pointing at moto. */
export function motoClientConfig(url: string = motoUrl) {
  return { endpoint: url, region: MOTO_REGION, credentials: motoCredentials };
}

/** A resource name no other test (or parallel test run on the same moto) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Switches moto's Step Functions from "record the call" to executing the definition (moto's
 * port of an ASL interpreter). Idempotent; applies to the whole server.
 */
export async function enableStateMachineExecution(url: string = motoUrl): Promise<void> {
  const response = await fetch(`${url}/moto-api/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  if (!response.ok) throw new Error(`moto refused its config: HTTP ${response.status} ${await response.text()}`);
}

/**
 * Sends every request of `client` as account `accountId` (moto's `x-moto-account-id`). moto 5.2's
 * Step Functions can start only one execution per account and region (it deep-copies the backend,
 * running executions included), so each execution gets an account of its own.
 */
export function asMotoAccount<T extends { middlewareStack: { add: (...args: never[]) => void } }>(
  client: T,
  accountId: string,
): T {
  const stack = client.middlewareStack as unknown as {
    add(
      middleware: (
        next: (args: { request: { headers: Record<string, string> } }) => unknown,
      ) => (args: { request: { headers: Record<string, string> } }) => unknown,
      options: { step: 'build'; name: string },
    ): void;
  };
  stack.add(
    (next) => (args) => {
      args.request.headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

/** A random 12-digit account id for {@link asMotoAccount}. */
export function randomMotoAccount(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}
