import { readValue } from '../readValue';
import type { ValueReader } from '../schema/valueReader';
import type { PageFacts } from './types';

/** A number a page reports (a total), or undefined when it reports none. */
export function pageNumberOf(facts: PageFacts, reader: ValueReader | undefined): number | undefined {
  if (reader === undefined) return undefined;
  const raw = readValue(reader, facts);
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || raw === null || raw === '' || !Number.isFinite(value) ? undefined : value;
}

/** True for a value that carries a signal (a cursor, a next link): not absent, empty or false. */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== false;
}
