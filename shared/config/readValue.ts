import type { IncomingHttpHeaders } from 'node:http';
import { readPath } from '../paths';
import type { ValueLocation, ValueReader } from './schema/valueReader';

/** The parts of a response a {@link ValueReader} may read. */
export interface ResponseParts {
  /** The parsed body (JSON, or XML as elements), when it was read. */
  body?: unknown;
  headers?: IncomingHttpHeaders;
}

/** The object form of a reader (`$.x` is `{ path: $.x }`). */
export function locationOf(reader: ValueReader): ValueLocation {
  return typeof reader === 'string' ? { path: reader } : reader;
}

/** True when the reader needs the parsed body (a path not inside a header). */
export function readsBody(reader: ValueReader | undefined): boolean {
  if (reader === undefined) return false;
  const location = locationOf(reader);
  return location.header === undefined && location.path !== undefined;
}

/** How a reader is written, for messages: `$.id`, `header Location`, `$.detail ~ /dup: (\S+)/`. */
export function describeReader(reader: ValueReader): string {
  const { path, header, pattern } = locationOf(reader);
  const where = header === undefined ? path! : path === undefined ? `header ${header}` : `${path} of header ${header}`;
  return pattern === undefined ? where : `${where} matching /${pattern}/`;
}

function headerText(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name.toLowerCase()];
  return Array.isArray(raw) ? raw[0] : raw;
}

function capture(value: unknown, pattern: RegExp): unknown {
  if (Array.isArray(value)) return value.map((entry) => capture(entry, pattern)).filter((entry) => entry !== undefined);
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return pattern.exec(String(value))?.[1];
}

/**
 * Reads one value from a response the way every configured reader does: a body path, a header
 * (a path inside it when it holds JSON), then the pattern's capturing group. Undefined when any
 * step finds nothing (a header that is not JSON, a pattern that does not match).
 *
 * @example
 * readValue({ path: '$.detail', pattern: 'duplicate of : (\\S+)' }, { body: { detail: 'The Request is a duplicate of : r-7' } }); // 'r-7'
 * readValue({ header: 'x-app-usage', path: '$.call_count' }, { headers: { 'x-app-usage': '{"call_count":12}' } }); // 12
 */
export function readValue(reader: ValueReader, response: ResponseParts): unknown {
  const { path, header, pattern } = locationOf(reader);
  let value: unknown;
  if (header === undefined) value = path === undefined ? undefined : readPath(response.body, path);
  else {
    const text = headerText(response.headers, header);
    if (text === undefined || path === undefined) value = text;
    else {
      try {
        value = readPath(JSON.parse(text), path);
      } catch {
        return undefined;
      }
    }
  }
  return pattern === undefined ? value : capture(value, new RegExp(pattern));
}
