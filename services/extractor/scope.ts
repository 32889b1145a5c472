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
 * The template scope of a work item: `client.*` (params), `secrets.*`, `partition.*`,
 * `slice.start/end`, `env.DIF_*`, `run.id`, and `cursor` when the stream is incremental.
 */
export function itemScope(
  item: WorkItem,
  params: Record<string, unknown>,
  secrets: Record<string, string>,
  cursor?: string,
): TemplateScope {
  const values = item.partitionValues;
  const scope: TemplateScope = {
    client: { name: item.client, ...params },
    secrets,
    partition: values,
    env: difEnvironment(),
    run: { id: item.runId },
  };
  if (values.slice_start !== undefined) scope.slice = { start: values.slice_start, end: values.slice_end };
  if (cursor !== undefined) scope.cursor = cursor;
  return scope;
}
