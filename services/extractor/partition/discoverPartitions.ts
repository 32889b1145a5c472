import type { StreamDefinition } from '../../../shared/config/schema';
import { sourceFileOf } from '../../../shared/config/loadConfig';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import { itemIdOf, MESSAGE_VERSION, type WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import type { Discovery, DiscoveryCache, DiscoveryTarget } from '../../../shared/runtime/PartitionDiscovery';
import { StreamConfigError } from '../errors';
import { openSession } from '../openSession';
import { readField } from '../readPath';
import { buildRequest } from '../request/buildRequest';
import { walkPages } from '../walkPages';

/** A discovery that lists hundreds of thousands of records is a wrong stream, not a list of accounts. */
const MAX_DISCOVERED_RECORDS = 100_000;
/** A partition value becomes part of item ids, object keys and labels: no separators, no spaces. */
const SAFE_VALUE = /^[\w.@:+-]{1,128}$/;

/**
 * Discovers the partitions of a stream with `partition.from_stream` (Plan's `DiscoverPartitions`, wired by the profiles): requests that stream of the
 * same source for the client (every page, through the source's auth, retry policy, rate limit and
 * caps, like any call), reads `fields` from each record and keeps those `include`/`exclude` allow.
 * A record without a field, or a value that cannot name a partition, fails with what to fix;
 * so does a discovery that keeps nothing (a quiet zero would plan nothing and look fine).
 *
 * @example
 * const { values } = await discoverPartitions(ctx, target, 'r1', new Map());
 * // [{ account_id: '1002' }, { account_id: '1003' }]
 */
export async function discoverPartitions(
  ctx: ServiceContext,
  target: DiscoveryTarget,
  runId: string,
  cache: DiscoveryCache,
): Promise<Discovery> {
  const spec = target.definition.partition!;
  const from = spec.from_stream!;
  const where = `${sourceFileOf(ctx.config, target.source)} streams.${target.stream}.partition (client ${target.client}, discovered from stream ${from})`;
  const key = `${target.client}/${target.source}/${from}`;
  let records = cache.get(key);
  if (!records) {
    records = requestRecords(ctx, target, from, runId);
    cache.set(key, records);
  }
  const found = await records;
  const keep = recordFilter(spec, target.scope);
  const seen = new Set<string>();
  const values: Record<string, string>[] = [];
  for (const [index, record] of found.entries()) {
    if (!keep(record)) continue;
    const entry = partitionValues(spec.fields ?? {}, record, index, where);
    const name = JSON.stringify(entry);
    if (seen.has(name)) continue;
    seen.add(name);
    values.push(entry);
  }
  if (values.length === 0)
    throw new StreamConfigError(
      where,
      found.length === 0
        ? `stream ${from} returned no records, so there is nothing to plan; check the client's params and credentials give access to its accounts`
        : `stream ${from} returned ${found.length} record(s) and partition.include/exclude kept none; check the filters and the client's params they read`,
    );
  return { values, found: found.length };
}

/** Every record of the discovery stream, as Extract would request them (its pages are not stored). */
async function requestRecords(
  ctx: ServiceContext,
  target: DiscoveryTarget,
  from: string,
  runId: string,
): Promise<unknown[]> {
  const item: WorkItem = {
    v: MESSAGE_VERSION,
    runId,
    itemId: itemIdOf(target.client, target.source, from, 'all'),
    client: target.client,
    source: target.source,
    stream: from,
    partition: 'all',
    partitionValues: {},
    label: `${target.client}/${target.source}/${from}/all (discovery)`,
    runtime: 'lambda',
    extraction: 'sync',
  };
  const session = await openSession(ctx, item);
  const { stream, source } = session;
  const where = `${sourceFileOf(ctx.config, target.source)} streams.${from} (discovery for ${target.stream})`;
  if (!stream.request) throw new StreamConfigError(where, 'has no request; discovery needs one');
  const records: unknown[] = [];
  await walkPages({
    http: session.http,
    request: (page) => buildRequest(stream.request!, { ...session.scope, page }, session.baseUrl, source.headers),
    paginate: stream.paginate,
    recordsPath: stream.records,
    formatType: stream.format.type,
    errorWhen: source.retry.error_when,
    guards: session.guards,
    maxPages: session.limits.max_pages,
    onRecords: (page) => {
      records.push(...page);
      if (records.length > MAX_DISCOVERED_RECORDS)
        throw new StreamConfigError(
          where,
          `returned more than ${MAX_DISCOVERED_RECORDS} records; discovery lists accounts, not data — point from_stream at a stream that lists them`,
        );
    },
    expectRecords: stream.expect_records,
    redact: session.redact,
    where,
  });
  return records;
}

type PartitionSpec = NonNullable<StreamDefinition['partition']>;

/** `include`/`exclude` as a predicate on records; templates render against the client's scope. */
function recordFilter(spec: PartitionSpec, scope: TemplateScope): (record: unknown) => boolean {
  const lists = (rules: PartitionSpec['include']) =>
    Object.entries(rules ?? {})
      .map(([field, written]) => [field, new Set(valuesOf(written, scope))] as const)
      .filter(([, values]) => values.size > 0);
  const include = lists(spec.include);
  const exclude = lists(spec.exclude);
  const text = (record: unknown, field: string) => {
    const value = readField(record, field);
    return value === undefined || value === null ? undefined : String(value);
  };
  return (record) =>
    include.every(([field, values]) => values.has(text(record, field) ?? '\u0000')) &&
    !exclude.some(([field, values]) => values.has(text(record, field) ?? '\u0000'));
}

/** A list as written, or a template rendering a comma-separated list (empty: no values). */
function valuesOf(written: string | (string | number | boolean)[], scope: TemplateScope): string[] {
  if (Array.isArray(written)) return written.map(String);
  return renderTemplate(written, scope)
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
}

/** The partition values `fields` reads from one discovered record. */
function partitionValues(
  fields: Record<string, string>,
  record: unknown,
  index: number,
  where: string,
): Record<string, string> {
  const entry: Record<string, string> = {};
  for (const [name, field] of Object.entries(fields)) {
    const value = readField(record, field);
    if (value === undefined || value === null || value === '' || typeof value === 'object')
      throw new StreamConfigError(
        where,
        `discovered record ${index + 1} has no value at "${field}" (partition.fields.${name}); fields must name a field every record has, e.g. id`,
      );
    const text = String(value);
    if (!SAFE_VALUE.test(text))
      throw new StreamConfigError(
        where,
        `discovered record ${index + 1} has ${field} = ${JSON.stringify(text.slice(0, 40))}, which cannot name a partition (letters, digits and . _ - @ : + only, at most 128); read an id field instead`,
      );
    entry[name] = text;
  }
  return entry;
}
