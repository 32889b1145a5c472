import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callingAs } from './awsCallRecorder';

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LambdaBridge {
  /** Port of the bridge: moto_server is started with MOTO_PORT set to it. */
  port: number;
  /** Every invocation the state machine made, in order: function name and input. */
  invocations: { name: string; event: unknown }[];
  close(): Promise<void>;
}

/** A Lambda context as the runtime hands it to a handler. */
export function lambdaContext(name: string) {
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
    getRemainingTimeInMillis: () => 300_000,
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The Lambda service as moto's Step Functions interpreter calls it: the Invoke API
 * (`POST /2015-03-31/functions/{name}/invocations`), answered by running the function's real
 * Lambda entry point in this process, as the Lambda runtime would, with its AWS calls recorded
 * under the function's name. A thrown error is reported like Lambda does (X-Amz-Function-Error,
 * errorType = the error's name, which the ASL's Retry/Catch match).
 *
 * moto_server sends every call its interpreter makes to the port in MOTO_PORT; a private moto
 * started with MOTO_PORT = this bridge's port therefore invokes these handlers.
 */
export async function startLambdaBridge(handlers: Record<string, LambdaHandler>): Promise<LambdaBridge> {
  const invocations: LambdaBridge['invocations'] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '');
      const body = await readBody(request);
      if (!match || request.method !== 'POST') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ message: `the Lambda bridge serves only Invoke, not ${request.method} ${request.url}` }),
        );
        return;
      }
      const target = decodeURIComponent(match[1]!);
      const name = Object.keys(handlers).find((candidate) => target === candidate || target.endsWith(`:${candidate}`));
      if (!name) {
        response.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'ResourceNotFoundException',
        });
        response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${target}` }));
        return;
      }
      const event = body ? (JSON.parse(body) as unknown) : {};
      invocations.push({ name, event });
      try {
        const result = await callingAs(name, () => handlers[name]!(event, lambdaContext(name)));
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        const failure = error as Error;
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
        response.end(JSON.stringify({ errorType: failure.name, errorMessage: failure.message }));
      }
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    invocations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
