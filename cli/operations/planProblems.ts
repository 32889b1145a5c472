import { isAbsolute, join, relative } from 'node:path';
import type { ConfigProblem, DifConfig } from '../../shared/config';
import { renderTemplate, TemplateError } from '../../shared/config/template';
import { StreamConfigError } from '../../services/extractor/errors';
import { planPartitions } from '../../services/runs/partition/planPartitions';
import { planTargets } from '../../services/runs/plan';

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
    // Discovered partitions are known only when Plan runs: check the rest with a stand-in record.
    const fields = target.definition.partition?.fields;
    const window = fields ? { discovered: [Object.fromEntries(Object.keys(fields).map((name) => [name, 'x']))] } : {};
    try {
      planPartitions(target.definition, target.scope, now, target.where, window);
      // include/exclude templates read client params: render them once so a missing one is reported.
      const { include = {}, exclude = {} } = target.definition.partition ?? {};
      for (const written of [...Object.values(include), ...Object.values(exclude)])
        if (typeof written === 'string') renderTemplate(written, target.scope);
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
