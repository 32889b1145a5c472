import type { Command } from 'commander';
import { z } from 'zod';
import { clientDefinition, sourceDefinition } from '../../shared/config';

/** `dif schema`: the JSON Schema of the config language, for editors (yaml-language-server). */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of sources/*.yml or clients/*.yml, for editor completion')
    .argument('[kind]', 'source or client', 'source')
    .action((kind: string) => {
      const schema = kind === 'client' ? clientDefinition : sourceDefinition;
      console.log(JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2));
    });
}
