import type { TemplateScope } from '../../shared/config/template';
import type { WorkItem } from '../../shared/messages/workItem';
import { difEnvironment, relativeDates } from '../../shared/config/scopeValues';

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
