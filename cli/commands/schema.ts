import type { Command } from 'commander';

/** `dif schema`: the JSON Schema of the config language, for editors (yaml-language-server). */
export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema of sources/*.yml or clients/*.yml, for editor completion')
    .argument('[kind]', 'source or client', 'source')
    .action(async (kind: string) => {
      const [{ z }, { clientDefinition, sourceDefinition }] = await Promise.all([
        import('zod'),
        import('../../shared/config'),
      ]);
      const schema = kind === 'client' ? clientDefinition : sourceDefinition;
      console.log(JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2));
    });
}
