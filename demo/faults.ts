import type { IncomingMessage, ServerResponse } from 'node:http';
import { echoCredentialsBody, type EchoEncoding } from './echoCredentials';

/**
 * A fault the demo API injects into the first `times` requests whose path contains `path`
 * (after `skip` matching requests have been served normally). Faults are deterministic, so a
 * test knows exactly which request fails and how.
 */
export type FaultRule = {
  /** Substring of the request path (e.g. `/campaigns`). */
  path: string;
  /** Substring the query string must also contain (e.g. `since=2026-02-01`): one slice of a path. */
  query?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Matching requests served normally before the fault starts (default 0). */
  skip?: number;
  /** Only requests with this method match (default: any), e.g. POST for a job create but not its polls. */
  method?: 'GET' | 'POST';
} & (
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'reset' }
  | { kind: 'truncate' }
  | {
      kind: 'error_in_200';
      /** The envelope sent with status 200 (default: a Graph-API-like `{"error":{"code":2,…}}`). */
      body?: string;
    }
  | { kind: 'delay'; ms: number }
  /** Answers `status` with an error body quoting the request's credential in `encoding`. */
  | { kind: 'echo_credentials'; status: number; encoding: EchoEncoding }
);

export type FaultKind = FaultRule['kind'];

/** Applies {@link FaultRule}s; `true` from {@link FaultInjector.apply} means the fault answered. */
export class FaultInjector {
  private readonly seen = new Map<FaultRule, number>();

  constructor(private readonly rules: FaultRule[] = []) {}

  /** Adds rules to a running server (tests switch faults on between runs). */
  add(...rules: FaultRule[]): void {
    this.rules.push(...rules);
  }

  clear(): void {
    this.rules.length = 0;
    this.seen.clear();
  }

  /** The rule that applies to this request, counting it. */
  match(path: string, request: { method?: string; query?: string } = {}): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!path.includes(rule.path) || (rule.query !== undefined && !(request.query ?? '').includes(rule.query)))
        continue;
      if (rule.method !== undefined && request.method !== undefined && rule.method !== request.method) continue;
      const count = (this.seen.get(rule) ?? 0) + 1;
      this.seen.set(rule, count);
      const skip = rule.skip ?? 0;
      if (count > skip && count <= skip + (rule.times ?? 1)) return rule;
    }
    return undefined;
  }

  /**
   * Answers the request with the fault when it is a terminal one. `truncate`, `error_in_200` and
   * `delay` shape the normal answer instead: see {@link sendBody}.
   */
  async apply(rule: FaultRule, response: ServerResponse, request?: IncomingMessage): Promise<boolean> {
    switch (rule.kind) {
      case 'echo_credentials':
        response.writeHead(rule.status, { 'content-type': 'application/json' });
        response.end(request ? echoCredentialsBody(request, rule.encoding) : '{}');
        return true;
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (rule.retryAfter !== undefined) headers['retry-after'] = rule.retryAfter;
        response.writeHead(rule.status, headers);
        response.end(rule.body ?? JSON.stringify({ error: { message: `injected ${rule.status}`, code: rule.status } }));
        return true;
      }
      case 'reset':
        response.socket?.destroy();
        return true;
      case 'error_in_200':
        response.writeHead(200, {
          'content-type': rule.body?.trimStart().startsWith('<') ? 'application/xml' : 'application/json',
        });
        response.end(
          rule.body ?? JSON.stringify({ error: { code: 2, message: 'Service temporarily unavailable (injected)' } }),
        );
        return true;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, rule.ms));
        return false;
      case 'truncate':
        return false;
    }
  }
}

/** Writes a body, or half of it followed by a reset when the fault is `truncate`. */
export function sendBody(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
  fault?: FaultRule,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  if (fault?.kind === 'truncate') {
    response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy());
    return;
  }
  response.end(bytes);
}

export type DemoRequest = IncomingMessage;
