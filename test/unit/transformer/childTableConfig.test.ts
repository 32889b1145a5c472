import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config';
import { configFrom } from '../../support/extractorContext';

/** Config problems of a source with one stream `a` whose extra YAML lines are given. */
function problems(extra: string): string[] {
  const source = `name: t\nbase_url: http://api.example.com\nstreams:\n  a:\n    request: { path: /x }\n    columns: { id: bigint, actions: super }\n    load: { table: a }\n${extra}  b:\n    request: { path: /y }\n    columns: { id: bigint }\n    load: { table: b }\n`;
  try {
    configFrom({ sources: { t: source }, clients: {} });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

const child = (load: string, extra = '') =>
  `    children:\n      a_actions:\n        explode: actions\n        columns: { id: bigint, action_type: { type: varchar(32), from: actions.action_type } }\n${extra}        load: ${load}\n`;

describe('child table configuration', () => {
  it('accepts a child table with its defaults', () => {
    expect(problems(child('{ table: a_actions }'))).toEqual([]);
  });

  it('names a child table that reuses a table, or merges without a key', () => {
    expect(problems(child('{ table: b }'))).toEqual([
      'streams.a.children.a_actions.load.table: table "b" is already loaded by streams.b; give the child table its own name',
    ]);
    expect(problems(child('{ table: a_actions, mode: merge }'))).toEqual([
      'streams.a.children.a_actions.primary_key: merge loads need a primary_key (the columns that identify a record)',
    ]);
    expect(problems(child('{ table: a_actions, mode: merge }', '        primary_key: [id, nope]\n'))).toEqual([
      'streams.a.children.a_actions.primary_key: "nope" is not a declared column (declared: id, action_type)',
    ]);
  });

  it('refuses stream-level options in a child transform, with their path', () => {
    expect(problems(child('{ table: a_actions }', '        transform: { dedupe: true }\n')).join('\n')).toMatch(
      /streams\.a\.children\.a_actions\.transform: unknown key "dedupe"/,
    );
  });
});
