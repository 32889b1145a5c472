import type { z } from 'zod';
import type { request as requestSchema } from '../../../shared/config/schema/request';
import { renderDeep, renderTemplate, type TemplateScope } from '../../../shared/config/template';
import type { HttpRequest } from '../http/types';
import { setQuery } from './setQuery';

export type RequestConfig = z.infer<typeof requestSchema>;

/** Adds `| xml` to every expression so values substituted into an XML body are escaped. */
function xmlEscaped(template: string): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, expression: string) =>
    /\|\s*xml\b/.test(expression) ? whole : `{{ ${expression} | xml }}`,
  );
}

/** Resolves `path` against the base URL: absolute URLs are kept (the allow-list still applies). */
export function resolveUrl(baseUrl: string, path: string): URL {
  if (/^https?:\/\//i.test(path)) return new URL(path);
  return new URL(baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`));
}

/**
 * Renders a configured request against a template scope: URL (base + path + query), headers
 * (source-wide, then the stream's; one that renders empty is not sent) and a JSON, form or XML/SOAP body.
 */
export function buildRequest(
  config: RequestConfig,
  scope: TemplateScope,
  baseUrl: string,
  sourceHeaders: Record<string, string> = {},
): HttpRequest {
  // A query written in the path is sent as written (Rest.li syntax); `query` values are encoded.
  const query = Object.fromEntries(
    Object.entries(renderDeep(config.query, scope)).map(([name, value]): [string, string] => [name, String(value)]),
  );
  const url = new URL(setQuery(resolveUrl(baseUrl, renderTemplate(config.path, scope)), query));
  const headers: Record<string, string> = { ...renderDeep(sourceHeaders, scope), ...renderDeep(config.headers, scope) };
  // An optional header (`"{{ client.login_customer_id | default: }}"`) that renders empty is left out, not sent blank.
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  const request: HttpRequest = { method: config.method, url: url.toString(), headers };
  const body = config.body;
  if (body?.type === 'json') {
    request.body = JSON.stringify(renderDeep(body.value, scope));
    headers['content-type'] ??= 'application/json';
  } else if (body?.type === 'form') {
    request.body = new URLSearchParams(
      Object.entries(renderDeep(body.value, scope)).map(([key, value]): [string, string] => [key, String(value)]),
    ).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (body?.type === 'xml') {
    request.body = renderTemplate(xmlEscaped(body.value), scope);
    headers['content-type'] ??= body.soap_action ? 'text/xml; charset=utf-8' : 'application/xml';
    if (body.soap_action) headers.SOAPAction = body.soap_action;
  }
  return request;
}
