import type { PageStep } from '../../../shared/config/paginate/types';
import { StreamConfigError } from '../errors';
import type { HttpRequest } from '../http/types';
import { setQuery } from '../request/setQuery';

/** Sets `value` at a dotted name (`offset`, `paging.page_token`) of a JSON object, creating objects on the way. */
function setField(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const names = dotted.split('.');
  let current = target;
  for (const name of names.slice(0, -1)) {
    const next = current[name];
    current = (current[name] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
  }
  current[names.at(-1)!] = value;
}

function patchedBody(request: HttpRequest, fields: Record<string, string | number>, where: string): string {
  const type =
    request.headers['content-type'] ??
    Object.entries(request.headers).find(([name]) => /^content-type$/i.test(name))?.[1];
  if (type?.includes('x-www-form-urlencoded')) {
    const form = new URLSearchParams(request.body ?? '');
    for (const [name, value] of Object.entries(fields)) form.set(name, String(value));
    return form.toString();
  }
  if (type?.includes('json')) {
    const body: unknown = request.body ? JSON.parse(request.body) : {};
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw new StreamConfigError(
        where,
        'paginate.in is body, but the JSON body is not an object; page fields need one',
      );
    for (const [name, value] of Object.entries(fields)) setField(body as Record<string, unknown>, name, value);
    return JSON.stringify(body);
  }
  throw new StreamConfigError(
    where,
    `paginate.in is body, but the request body is ${type ?? 'absent'}; give the request a JSON or form body, or put {{ page.* }} in an XML body with in: template`,
  );
}

/**
 * The request of one page: the configured request (already rendered with the step's
 * `{{ page.* }}` values) with the step's patch applied — a whole next URL, query parameters,
 * headers, JSON or form body fields.
 *
 * @example
 * applyPageStep(request, { body: { offset: 100, limit: 100 }, page: { offset: 100 } }, 'sources/ga4.yml streams.report');
 */
export function applyPageStep(request: HttpRequest, step: PageStep, where: string): HttpRequest {
  const url = setQuery(step.url ?? request.url, step.query ?? {});
  return {
    ...request,
    url,
    headers: { ...request.headers, ...step.headers },
    ...(step.body ? { body: patchedBody(request, step.body, where) } : {}),
  };
}
