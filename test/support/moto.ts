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

export interface PrivateMoto {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a moto_server of the test's own on a free loopback port (for state no other test may
 * see, or settings such as MOTO_PORT that apply to the whole server). Needs moto_server on PATH.
 */
export async function startPrivateMoto(env: Record<string, string> = {}): Promise<PrivateMoto> {
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  };
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${log}`);
    const up = await fetch(`${url}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (up)
      return {
        url,
        close,
        get log() {
          return log;
        },
      } as PrivateMoto;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await close();
  throw new Error(`moto_server did not answer on ${url} within 30 s: ${log}`);
}
