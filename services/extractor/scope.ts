import { DateTime } from 'luxon';
import type { TemplateScope } from '../../shared/config/template';
import type { WorkItem } from '../../shared/messages/workItem';

/** Only `DIF_*` variables reach templates, so a source cannot read arbitrary process secrets. */
export function difEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('DIF_') && entry[1] !== undefined,
    ),
  );
}

/**
 * `today` and `yesterday` as YYYY-MM-DD in `zone` (default UTC), for `{{ today - P28D }}`.
 *
 * @example
 * relativeDates(new Date('2026-03-01T03:00:00Z'), 'America/New_York'); // { today: '2026-02-28', yesterday: '2026-02-27' }
 */
export function relativeDates(now: Date, zone = 'UTC'): { today: string; yesterday: string } {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { today: today.toISODate()!, yesterday: today.minus({ days: 1 }).toISODate()! };
}

/**
 * The template scope of a work item: `client.*` (params), `secrets.*`, `partition.*`,
 * `slice.start/end`, `env.DIF_*`, `run.id`, `today`/`yesterday` (UTC, when the item runs), and
 * `cursor` when the stream is incremental.
 */
export function itemScope(
  item: WorkItem,
  params: Record<string, unknown>,
  secrets: Record<string, string>,
  cursor?: string,
  now: Date = new Date(),
): TemplateScope {
  const values = item.partitionValues;
  const scope: TemplateScope = {
    client: { name: item.client, ...params },
    secrets,
    partition: values,
    env: difEnvironment(),
    run: { id: item.runId },
    ...relativeDates(now),
  };
  if (values.slice_start !== undefined) scope.slice = { start: values.slice_start, end: values.slice_end };
  if (cursor !== undefined) scope.cursor = cursor;
  return scope;
}
