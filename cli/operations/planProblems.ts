import { isAbsolute, join, relative } from 'node:path';
import type { ConfigProblem, DifConfig } from '../../shared/config';
import { TemplateError } from '../../shared/config/template';
import { StreamConfigError } from '../../services/extractor/errors';
import { planPartitions } from '../../services/extractor/partition/planPartitions';
import { planTargets } from '../../services/extractor/plan';

/**
 * Plans every enabled client × source × stream once, as Plan would, and returns what stops it:
 * a date that is no date after templating (`{{ client.start_date }}` = `2026/02/30`), an empty
 * partition list, a template that reads a missing client parameter. `dif validate` reports them
 * beside the schema's problems, so a run does not discover them.
 *
 * @example
 * planProblems(loadConfig('.'), new Date()); // [{ file: 'clients/acme.yml', path: 'sources.graph_ads.params', message: '…' }]
 */
export function planProblems(config: DifConfig, now: Date): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const target of planTargets(config, { runId: 'validate' })) {
    try {
      planPartitions(target.definition, target.scope, now, target.where);
    } catch (error) {
      if (!(error instanceof StreamConfigError) && !(error instanceof TemplateError)) throw error;
      problems.push({
        file: displayPath(join(config.dir, 'clients', `${target.client}.yml`)),
        path: `sources.${target.source}.params`,
        message: error.message,
      });
    }
  }
  return problems;
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}
