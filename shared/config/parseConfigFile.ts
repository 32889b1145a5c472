import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { LineOf } from './checkTemplates';
import type { ConfigProblem } from './errors';
import { formatPath } from './formatIssues';

// Config files as DIF reads them: YAML parsed with line positions, checked against a zod schema,
// every problem mapped back to its file and line. Shared by loadConfig (the whole folder) and
// loadClients (only clients/, for commands that must start fast).

/** One parsed file: its display path, its value when valid, and a path → line lookup. */
export interface ParsedFile<T> {
  file: string;
  value?: T;
  lineOf?: LineOf;
}

/** Paths under the current folder print relative (short, clickable); others print absolute. */
export function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}

/** Every `*.yml`/`*.yaml` file of `dir/folder`, parsed against `schema`; problems are appended. */
export function readFolder<S extends z.ZodType>(
  dir: string,
  folder: string,
  schema: S,
  problems: ConfigProblem[],
): ParsedFile<z.infer<S>>[] {
  const files = readdirSync(join(dir, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  return files.map((name) => {
    const path = join(dir, folder, name);
    const file = displayPath(path);
    const located: { lineOf?: LineOf } = {};
    return { file, value: parseFile(file, readFileSync(path, 'utf8'), schema, problems, located), ...located };
  });
}

/** Parses one YAML file against a schema, mapping each issue back to its line. */
export function parseFile<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  problems: ConfigProblem[],
  located: { lineOf?: LineOf } = {},
): z.infer<S> | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  located.lineOf = (path) => {
    // A path ending in a key points at that key's line (its value may start on a later one).
    const last = path[path.length - 1];
    const node =
      (typeof last === 'string' ? keyNodeAt(document.contents, path.slice(0, -1), last) : undefined) ??
      nodeAt(document.contents, path);
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      problems.push({
        file,
        line: lineCounter.linePos(error.pos[0]).line,
        path: '(yaml)',
        message: `${error.message.split('\n')[0]} — fix the YAML syntax`,
      });
    }
    return undefined;
  }
  let plain: unknown;
  try {
    plain = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    problems.push({
      file,
      line: firstAliasLine(document, lineCounter),
      path: '(yaml)',
      message: `${(error as Error).message.split('\n')[0]}: aliases (*name) here expand to more than ${MAX_ALIAS_COUNT} copies — write the values out, or share fewer of them through anchors`,
    });
    return undefined;
  }
  const result = schema.safeParse(plain);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // An unknown key is shown at its own line, not at the first line of its block.
    const node =
      issue.code === 'unrecognized_keys'
        ? (keyNodeAt(document.contents, issue.path, issue.keys[0]!) ?? nodeAt(document.contents, issue.path))
        : nodeAt(document.contents, issue.path);
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    problems.push({ file, line, path: formatPath(issue.path), message: describe(issue) });
  }
  return undefined;
}

/**
 * How many nodes aliases may expand to in one file. Config files share a few blocks through
 * anchors; a "billion laughs" file nests aliases to expand into billions of nodes.
 */
const MAX_ALIAS_COUNT = 100;

function firstAliasLine(document: Document, lineCounter: LineCounter): number | undefined {
  let line: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling (\`dif schema\` prints every allowed key)`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message))
    return `required field is missing (expected ${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, '');
}

function keyNodeAt(root: unknown, path: readonly PropertyKey[], key: string): Node | undefined {
  const map = nodeAt(root, path);
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key)?.key as Node | undefined;
}

function nodeAt(root: unknown, path: readonly PropertyKey[]): Node | undefined {
  let current = root as Node | undefined;
  let deepest = current;
  for (const segment of path) {
    if (isMap(current))
      current = current.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(segment))
        ?.value as Node | undefined;
    else if (isSeq(current) && typeof segment === 'number') current = current.items[segment] as Node | undefined;
    else current = undefined;
    if (!current) break;
    deepest = current;
  }
  return current ?? deepest;
}
