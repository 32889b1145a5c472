import { describe, expect, it } from 'vitest';
import { HostAllowList } from '../../../services/extractor/http/allowedHosts';
import { sniffCompression } from '../../../services/extractor/http/pageBody';
import { backoffDelay, retryAfterMs } from '../../../services/extractor/http/retryDelay';
import { readPath, recordsAt } from '../../../services/extractor/readPath';
import { buildRequest } from '../../../services/extractor/request/buildRequest';
import { applyPageStep } from '../../../services/extractor/paginate/applyPageStep';
import { request as requestSchema } from '../../../shared/config/schema/request';
import { checkBodyPredicates, checkErrorPredicates } from '../../../services/extractor/errorPredicates';
import { BadResponseError } from '../../../services/extractor/errors';
import { retry } from '../../../shared/config/schema/retry';

describe('retry timing', () => {
  it('full jitter stays below min(max, base × 2^attempt)', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelay(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelay(5, 100, 10_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:30 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('host allow-list', () => {
  it('allows listed hosts and subdomain wildcards, nothing else', () => {
    const list = new HostAllowList(['api.example.com', '*.cdn.example.com', '127.0.0.1:8080']);
    expect(list.allows('https://api.example.com/v1')).toBe(true);
    expect(list.allows('https://eu.cdn.example.com/f.gz')).toBe(true);
    expect(list.allows('https://api.example.com.evil.io/')).toBe(false);
    expect(list.allows('http://127.0.0.1:8080/x')).toBe(true);
    expect(list.allows('http://127.0.0.1:9090/x')).toBe(false);
    expect(list.allows('file:///etc/passwd')).toBe(false);
    expect(() => list.check('https://evil.io/')).toThrow(
      /refused to call https:\/\/evil\.io\/: its host is not in allowed_hosts/,
    );
  });
});

describe('request rendering', () => {
  const scope = { client: { id: 'a&b', name: 'acme' }, secrets: { token: 's3cret' } };

  it('renders path, query and a JSON or form body', () => {
    const json = buildRequest(
      requestSchema.parse({
        method: 'POST',
        path: '/acc/{{ client.name }}',
        query: { q: '{{ client.id }}' },
        body: { type: 'json', value: { id: '{{ client.id }}', n: 1 } },
      }),
      scope,
      'https://h/v1/',
    );
    expect(json.url).toBe('https://h/v1/acc/acme?q=a%26b');
    expect(JSON.parse(json.body!)).toEqual({ id: 'a&b', n: 1 });
    expect(json.headers['content-type']).toBe('application/json');
    const form = buildRequest(
      requestSchema.parse({ method: 'POST', path: '/t', body: { type: 'form', value: { a: '{{ client.id }}' } } }),
      scope,
      'https://h',
    );
    expect(form.body).toBe('a=a%26b');
  });

  it('sends a query written in the path as written (Rest.li syntax), adding encoded query and page values', () => {
    const restli = buildRequest(
      requestSchema.parse({
        path: '/adAnalytics?q=analytics&dateRange=(start:(year:{{ slice.start | date:yyyy }},month:{{ slice.start | date:M }},day:{{ slice.start | date:d }}))&accounts=List({{ client.urn | urlencode }})',
        query: { fields: 'impressions,clicks' },
      }),
      { slice: { start: '2026-02-01' }, client: { urn: 'urn:li:sponsoredAccount:7' } },
      'https://api.linkedin.com/rest',
    );
    expect(restli.url).toBe(
      'https://api.linkedin.com/rest/adAnalytics?q=analytics&dateRange=(start:(year:2026,month:2,day:1))&accounts=List(urn%3Ali%3AsponsoredAccount%3A7)&fields=impressions%2Cclicks',
    );
    const next = applyPageStep(restli, { query: { pageToken: 'a b' }, page: { cursor: 'a b' } }, 'w');
    expect(next.url).toBe(`${restli.url}&pageToken=a+b`);
    expect(applyPageStep(next, { query: { pageToken: 'c' }, page: { cursor: 'c' } }, 'w').url).toBe(
      `${restli.url}&pageToken=c`,
    );
  });

  it('sends a whole `{{ … | number }}` as a JSON number (Microsoft dates are {Day, Month, Year} integers)', () => {
    const dated = { ...scope, slice: { start: '2026-02-01' } };
    const json = buildRequest(
      requestSchema.parse({
        method: 'POST',
        path: '/t',
        body: {
          type: 'json',
          value: {
            Day: '{{ slice.start | date:dd | number }}',
            Year: '{{ slice.start | date:yyyy | number }}',
            Label: 'day {{ slice.start | date:dd | number }}',
          },
        },
      }),
      dated,
      'https://h',
    );
    expect(JSON.parse(json.body!)).toEqual({ Day: 1, Year: 2026, Label: 'day 1' });
    expect(() =>
      buildRequest(
        requestSchema.parse({
          method: 'POST',
          path: '/t',
          body: { type: 'json', value: { n: '{{ client.id | number }}' } },
        }),
        dated,
        'https://h',
      ),
    ).toThrow(/template "\{\{ client.id \| number \}\}": filter "number": "a&b" is not a number/);
  });

  it('escapes values substituted into XML and sends SOAPAction', () => {
    const soap = buildRequest(
      requestSchema.parse({
        method: 'POST',
        path: '/svc',
        body: { type: 'xml', soap_action: 'Submit', value: '<a>{{ client.id }}</a><t>{{ secrets.token }}</t>' },
      }),
      scope,
      'https://h',
    );
    expect(soap.body).toBe('<a>a&amp;b</a><t>s3cret</t>');
    expect(soap.headers.SOAPAction).toBe('Submit');
    expect(soap.headers['content-type']).toMatch(/^text\/xml/);
  });
});

describe('response helpers', () => {
  it('reads paths and records', () => {
    const body = {
      data: [
        { id: 1, m: { x: 2 } },
        { id: 3, m: { x: 4 } },
      ],
      paging: { cursors: { after: 'c' } },
    };
    expect(readPath(body, '$.paging.cursors.after')).toBe('c');
    expect(readPath(body, '$.data[1].id')).toBe(3);
    expect(readPath(body, '$.data[*].m.x')).toEqual([2, 4]);
    expect(recordsAt(body, '$.data')).toHaveLength(2);
    expect(recordsAt({ one: { a: 1 } }, '$.one')).toEqual([{ a: 1 }]);
    expect(recordsAt({}, '$.none')).toEqual([]);
  });

  it('sniffs gzip and zip by magic bytes', () => {
    expect(sniffCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(sniffCompression(Buffer.from('PK\u0003\u0004rest'))).toBe('zip');
    expect(sniffCompression(Buffer.from('{"a":1}'))).toBeUndefined();
  });

  it('error-inside-a-200 predicates: retryable or final', () => {
    const { error_when } = retry.parse({
      error_when: [
        { path: '$.code', not_in: [0] },
        { path: '$.error.code', in: [190], retryable: false },
      ],
    });
    expect(() => checkErrorPredicates({ code: 0 }, error_when, 'u', (t) => t)).not.toThrow();
    expect(() => checkErrorPredicates({ code: 40100, message: 'busy' }, error_when, 'u', (t) => t)).toThrow(
      expect.objectContaining({ name: 'BadResponseError', retryable: true }),
    );
    expect(() => checkErrorPredicates({ code: 0, error: { code: 190 } }, error_when, 'u', (t) => t)).toThrow(
      expect.objectContaining({ name: 'HttpStatusError' }),
    );
  });
});

describe('error predicates on XML bodies', () => {
  const redact = (text: string) => text;
  const soap = Buffer.from(
    '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>busy</faultstring></s:Fault></s:Body></s:Envelope>',
  );
  const predicates = (path: string, extra: Record<string, unknown> = { exists: true }) =>
    retry.parse({ error_when: [{ path, ...extra }] }).error_when;

  it('reads SOAP faults and <error><code> with XPath-like or $. paths (namespace prefixes dropped)', () => {
    expect(() => checkBodyPredicates(soap, predicates('/Envelope/Body/Fault/faultcode'), 'u', redact)).toThrow(
      /error inside a 200 \(\/Envelope\/Body\/Fault\/faultcode\)/,
    );
    expect(() => checkBodyPredicates(soap, predicates('$.Envelope.Body.Fault.faultstring'), 'u', redact)).toThrow(
      BadResponseError,
    );
    const envelope = Buffer.from('<response><error><code>RATE_LIMITED</code></error></response>');
    expect(() =>
      checkBodyPredicates(
        envelope,
        predicates('//error/code', { in: ['RATE_LIMITED'], retryable: false }),
        'u',
        redact,
      ),
    ).toThrow(/HTTP 200 from u: .*RATE_LIMITED/);
    expect(() => checkBodyPredicates(envelope, predicates('//code', { in: ['OTHER'] }), 'u', redact)).not.toThrow();
  });

  it('passes data: an XML page of records, a CSV body, a JSON page of records without the field', () => {
    const page = Buffer.from('<feed><stat><code>1</code></stat></feed>');
    expect(() => checkBodyPredicates(page, predicates('/error/code'), 'u', redact)).not.toThrow();
    expect(() => checkBodyPredicates(Buffer.from('id,code\n1,2\n'), predicates('$.code'), 'u', redact)).not.toThrow();
    expect(() =>
      checkBodyPredicates(Buffer.from('[{"id":1},{"id":2}]'), predicates('$.code'), 'u', redact),
    ).not.toThrow();
  });

  it('accepts XPath-like and JSON paths in the schema and names a wrong one', () => {
    expect(() => retry.parse({ error_when: [{ path: '//Fault/faultcode', exists: true }] })).not.toThrow();
    expect(() => retry.parse({ error_when: [{ path: 'error.code', exists: true }] })).toThrow(
      /a path like \$\.error\.code \(JSON or XML\) or \/Envelope\/Body\/Fault\/faultcode/,
    );
  });
});
