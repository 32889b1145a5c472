import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  CredentialStore,
  CredentialDecryptError,
  CredentialNotFoundError,
  CredentialWriteConflictError,
  InvalidCredentialValuesError,
  type CredentialMetadata,
} from '../../services/credentials';
import { KeyringFileError } from '../../shared/adapters/local/KeyringFileError';
import { KeyringDecryptError, type Keyring } from '../../shared/ports';
import { commandOutput } from '../operations/commandOutput';
import { resolveConfigDir } from '../paths';
import { ConfigError } from '../../shared/config/errors';
import type { ClientDefinition } from '../../shared/config';
import {
  CREDENTIAL_REF,
  sharedCredentialKey,
  sharedRefOf,
  type CredentialKey,
} from '../../shared/config/credentialKey';

/** What the credentials commands need; opened per command and closed when it ends. */
export interface CredentialsCommandContext {
  store: CredentialStore;
  close(): Promise<void>;
}

export interface CredentialsCommandIo {
  /** Where `put` reads JSON when no `--file` is given (default process.stdin). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/** A keyring that can add a master key itself (the local FileKeyring; KMS rotates on its own). */
interface RotatableKeyring extends Keyring {
  rotate(): Promise<string>;
}

const MAX_INPUT_BYTES = 1024 * 1024;

/** Errors a user can cause and fix; shown as one line instead of a stack. */
const USER_ERRORS = [
  ConfigError,
  CredentialNotFoundError,
  CredentialDecryptError,
  InvalidCredentialValuesError,
  CredentialWriteConflictError,
  KeyringFileError,
  KeyringDecryptError,
];

/**
 * The credentials of a local data directory (`keyring.json`, `secrets.db`) without opening the
 * rest of the local ports: a credentials command needs neither the warehouse nor the queues.
 *
 * @example
 * registerCredentialsCommands(program, () => openLocalCredentialsContext(resolveDataDir(undefined)));
 */
export async function openLocalCredentialsContext(dataDir: string): Promise<CredentialsCommandContext> {
  // Loaded here, not at start-up: `dif --help` needs neither SQLite nor the keyring's schema.
  const [{ FileKeyring }, { SqliteSecretRecordStore }, { InProcessLockManager }] = await Promise.all([
    import('../../shared/adapters/local/FileKeyring'),
    import('../../shared/adapters/local/SqliteSecretRecordStore'),
    import('../../shared/adapters/local/InProcessLockManager'),
  ]);
  const keyring = await FileKeyring.open(join(dataDir, 'keyring.json'));
  const records = SqliteSecretRecordStore.inDataDir(dataDir);
  const locks = new InProcessLockManager();
  return {
    store: new CredentialStore({ records, keyring, locks }),
    async close() {
      await locks.close();
      records.close();
    },
  };
}

/**
 * Adds `dif credentials put | list | show-meta | delete | reencrypt | rotate-key`. Secret values
 * enter only through a file or stdin — never an argument, which would land in shell history and
 * process listings — and no command ever prints one. Output goes through the program's
 * `configureOutput()` writers.
 *
 * @example
 * registerCredentialsCommands(program, async () => openLocalCredentials(dataDir));
 * // echo '{"api_key":"…"}' | dif credentials put --client acme --source graph_ads
 */
export function registerCredentialsCommands(
  program: Command,
  openContext: (options: { dataDir?: string }) => Promise<CredentialsCommandContext>,
  io: CredentialsCommandIo = {},
): Command {
  const credentials = program
    .command('credentials')
    .description('Store, inspect and re-encrypt API credentials (values are never printed)')
    .option('--data-dir <dir>', 'data directory holding secrets.db and keyring.json (default: $DIF_HOME or .dif)');
  const out = commandOutput(program);
  const run =
    (work: (store: CredentialStore, command: Command) => Promise<void>) =>
    // commander passes the command itself as the last action argument.
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      let context: CredentialsCommandContext | undefined;
      try {
        context = await openContext(credentials.opts<{ dataDir?: string }>());
        await work(context.store, command);
      } catch (error) {
        if (USER_ERRORS.some((type) => error instanceof type))
          command.error(`error: ${(error as Error).message}`, { exitCode: 1, code: 'dif.credentials' });
        throw error;
      } finally {
        await context?.close();
      }
    };

  credentials
    .command('put')
    .description(
      'Store the credentials of a client × source from a JSON object in --file or on stdin (replaces the stored fields)',
    )
    .option('--client <client>', 'client name, as in clients/{client}.yml')
    .option('--source <source>', 'source name, as in sources/{source}.yml')
    .option(
      '--shared <name>',
      'a shared credential that clients reference as `credentials: { ref: NAME }` (instead of --client/--source)',
    )
    .option('--file <path>', 'JSON file holding an object of field name to string value; stdin when omitted')
    // Unknown options and arguments are caught below so commander never echoes them (they may be secrets).
    .allowUnknownOption()
    .allowExcessArguments()
    .action(
      run(async (store, command) => {
        refuseExtraArguments(command);
        const key = credentialKeyFromOptions(command);
        const { file } = command.opts<{ file?: string }>();
        const text = file ? await readInputFile(command, file) : await readStdin(command, io.stdin ?? process.stdin);
        const values = parseJson(command, text, file ?? 'stdin');
        const meta = await store.put(key.client, key.source, values as Record<string, unknown>);
        const what =
          sharedRefOf(meta) === undefined
            ? `for client ${meta.client} source ${meta.source}`
            : `as shared credentials ${meta.source}`;
        out(`stored credentials ${what}: version ${meta.version}, fields ${meta.fields.join(', ')}, key ${meta.keyId}`);
      }),
    );

  credentials
    .command('list')
    .description(
      'List stored credentials: client, source, version, key and field names (never values); shared credentials (client @shared) with the client sources that reference them',
    )
    .option('--config <dir>', 'folder holding clients/, read for `credentials: { ref }` (default: the project folder)')
    .option('--json', 'print JSON (shared credentials carry `usedBy`)')
    .action(
      run(async (store, command) => {
        const { json, config } = command.opts<{ json?: boolean; config?: string }>();
        const refs = await sharedReferences(config);
        const all = (await store.list()).map((meta) => {
          const ref = sharedRefOf(meta);
          return ref === undefined ? meta : { ...meta, usedBy: refs.get(ref) ?? [] };
        });
        if (json) out(JSON.stringify(all, null, 2));
        else if (all.length === 0 && refs.size === 0)
          out('no credentials stored; add some with `dif credentials put --client C --source S --file creds.json`');
        else {
          if (all.length > 0) out(formatTable(all));
          if (refs.size > 0) out(formatReferences(refs, new Set(all.map((meta) => sharedRefOf(meta) ?? ''))));
        }
      }),
    );

  credentials
    .command('show-meta')
    .description('Show the metadata of one credential (never values)')
    .option('--client <client>', 'client name')
    .option('--source <source>', 'source name')
    .option('--shared <name>', 'a shared credential (instead of --client/--source)')
    .option('--json', 'print JSON')
    .action(
      run(async (store, command) => {
        const { client, source } = credentialKeyFromOptions(command);
        const { json } = command.opts<{ json?: boolean }>();
        const meta = await store.describe(client, source);
        out(json ? JSON.stringify(meta, null, 2) : formatMeta(meta));
      }),
    );

  credentials
    .command('delete')
    .description('Delete the credentials of a client × source, or a shared credential')
    .option('--client <client>', 'client name')
    .option('--source <source>', 'source name')
    .option('--shared <name>', 'a shared credential (instead of --client/--source)')
    .action(
      run(async (store, command) => {
        const key = credentialKeyFromOptions(command);
        if (!(await store.delete(key.client, key.source))) throw new CredentialNotFoundError(key.client, key.source);
        const ref = sharedRefOf(key);
        out(
          ref === undefined
            ? `deleted credentials for client ${key.client} source ${key.source}`
            : `deleted shared credentials "${ref}"`,
        );
      }),
    );

  credentials
    .command('reencrypt')
    .description('Move every stored credential under the current (or the given) master key, with a fresh data key each')
    .option(
      '--key-id <id>',
      'master key to move to (KMS key id/ARN/alias, or a local key id); default: the current key',
    )
    .option('--force', 're-encrypt records already under the target key too')
    .option('--json', 'print JSON')
    .action(
      run(async (store, command) => {
        const { keyId, force, json } = command.opts<{ keyId?: string; force?: boolean; json?: boolean }>();
        const summary = await store.reencrypt(keyId, { force });
        if (json) out(JSON.stringify(summary, null, 2));
        else {
          out(
            `re-encrypted ${summary.moved.length} credential(s) under key ${summary.keyId}; ${summary.skipped.length} already under it`,
          );
          for (const failure of summary.failed) out(`FAILED ${failure.client}/${failure.source}: ${failure.reason}`);
        }
        if (summary.failed.length > 0) {
          command.error(
            `error: ${summary.failed.length} credential(s) could not be re-encrypted (listed above); they are unchanged`,
            { exitCode: 1, code: 'dif.credentials.reencrypt' },
          );
        }
      }),
    );

  credentials
    .command('rotate-key')
    .description('Add a new master key to the local keyring and make it current (old keys stay for decryption)')
    .option('--no-reencrypt', 'only add the key; run `dif credentials reencrypt` later')
    .action(
      run(async (store, command) => {
        const keyring = store.keyring as Partial<RotatableKeyring>;
        if (typeof keyring.rotate !== 'function') {
          command.error(
            'error: rotate-key manages the local keyring only; with KMS enable automatic key rotation, or create a new key and run `dif credentials reencrypt --key-id <new key>`',
            { exitCode: 2, code: 'dif.credentials.rotateKey' },
          );
        }
        const keyId = await (keyring as RotatableKeyring).rotate();
        out(`new master key ${keyId} is now current`);
        if (command.opts<{ reencrypt: boolean }>().reencrypt) {
          const summary = await store.reencrypt(keyId);
          out(`re-encrypted ${summary.moved.length} credential(s) under key ${keyId}`);
          for (const failure of summary.failed) out(`FAILED ${failure.client}/${failure.source}: ${failure.reason}`);
        }
      }),
    );

  return credentials;
}

/** The credential a command names: `--shared NAME`, or `--client C --source S`. */
function credentialKeyFromOptions(command: Command): CredentialKey {
  const { client, source, shared } = command.opts<{ client?: string; source?: string; shared?: string }>();
  if (shared !== undefined) {
    if (client !== undefined || source !== undefined)
      command.error(
        'error: give either --shared NAME (a credential several clients reference) or --client and --source, not both',
        { exitCode: 2, code: 'dif.credentials.options' },
      );
    if (!CREDENTIAL_REF.test(shared))
      command.error(
        `error: --shared ${JSON.stringify(shared.slice(0, 64))} is not a credential name: letters, digits, _ and -`,
        {
          exitCode: 2,
          code: 'dif.credentials.options',
        },
      );
    return sharedCredentialKey(shared);
  }
  if (client === undefined || source === undefined)
    command.error(
      `error: name the credential with --client and --source${client === undefined && source === undefined ? '' : ` (missing ${client === undefined ? '--client' : '--source'})`}, or --shared NAME`,
      { exitCode: 2, code: 'dif.credentials.options' },
    );
  return { client, source };
}

/**
 * Which client sources reference each shared credential (`credentials: { ref }`), from the config
 * folder. A folder that cannot be read is reported only when `--config` named it.
 */
async function sharedReferences(configOption: string | undefined): Promise<Map<string, string[]>> {
  const refs = new Map<string, string[]>();
  // Loaded here, not at the top: registering the commands (`dif --help`) must not load YAML and zod.
  // Only the clients: reading every source definition would double this command's start-up.
  const { loadClients } = await import('../../shared/config/loadClients');
  let clients: Map<string, ClientDefinition>;
  try {
    clients = loadClients(resolveConfigDir(configOption));
  } catch (error) {
    if (configOption !== undefined) throw error;
    return refs;
  }
  for (const [clientName, client] of [...clients].sort(([a], [b]) => a.localeCompare(b)))
    for (const [sourceName, clientSource] of Object.entries(client.sources)) {
      const ref = clientSource.credentials?.ref;
      if (ref !== undefined) refs.set(ref, [...(refs.get(ref) ?? []), `${clientName}/${sourceName}`]);
    }
  return refs;
}

function formatReferences(refs: Map<string, string[]>, stored: Set<string>): string {
  const width = Math.max(...[...refs.keys()].map((ref) => ref.length));
  const lines = [...refs].map(
    ([ref, users]) =>
      `  ${ref.padEnd(width)}  ${users.join(', ')}${stored.has(ref) ? '' : `  (not stored: dif credentials put --shared ${ref} --file creds.json)`}`,
  );
  return ['', 'shared credentials used by clients (credentials.ref in clients/*.yml):', ...lines].join('\n');
}

/** `--name` as typed, when it looks like an option name (never a value that follows it or `=value`). */
const OPTION_NAME = /^(--[A-Za-z][\w-]{0,40})(?:=|$)/;

/**
 * Refuses what `put` does not take: an unknown option is named as such (`--config` is a mistake,
 * not a secret); anything else is treated as a credential value typed on the command line and
 * is never echoed, since it would be kept in shell history and visible to other users.
 */
function refuseExtraArguments(command: Command): void {
  if (command.args.length === 0) return;
  const [first = ''] = command.args;
  const option = first.startsWith('-') ? (OPTION_NAME.exec(first)?.[1] ?? 'a short or malformed option') : undefined;
  if (option)
    command.error(
      `error: unknown option ${option} for \`dif credentials put\`; it takes --client and --source (or --shared NAME) and reads the values from --file path or stdin`,
      { exitCode: 2, code: 'dif.credentials.unknownOption' },
    );
  command.error(
    'error: put does not take credential values on the command line (they would be kept in shell history and visible to other users); ' +
      'put them in a JSON file and pass --file path, or pipe the JSON on stdin',
    { exitCode: 2, code: 'dif.credentials.argument' },
  );
}

async function readInputFile(command: Command, path: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    return command.error(
      `error: cannot read credentials file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}; check the path`,
      { exitCode: 1 },
    );
  }
  if (size > MAX_INPUT_BYTES)
    command.error(
      `error: credentials file ${path} is ${size} bytes; a credentials object is expected to be under 1 MiB`,
      { exitCode: 1 },
    );
  return readFile(path, 'utf8');
}

async function readStdin(command: Command, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) process.stderr.write('Paste a JSON object of credential fields, then press Ctrl-D:\n');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    if (bytes > MAX_INPUT_BYTES)
      command.error('error: more than 1 MiB on stdin; a credentials object is expected to be small', { exitCode: 1 });
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    command.error('error: nothing on stdin; pipe a JSON object of credential fields, or pass --file path', {
      exitCode: 1,
    });
  return text;
}

function parseJson(command: Command, text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input, which is secret: say where, not what.
    return command.error(`error: ${origin} is not valid JSON; expected an object such as {"api_key": "…"}`, {
      exitCode: 1,
    });
  }
}

function formatMeta(meta: CredentialMetadata): string {
  return [
    `client:   ${meta.client}`,
    `source:   ${meta.source}`,
    `version:  ${meta.version}`,
    `key:      ${meta.keyId}`,
    `fields:   ${meta.fields.join(', ')}`,
    `created:  ${meta.createdAt}`,
    `rotated:  ${meta.rotatedAt}`,
  ].join('\n');
}

function formatTable(all: CredentialMetadata[]): string {
  const header = ['CLIENT', 'SOURCE', 'VERSION', 'KEY', 'ROTATED', 'FIELDS'];
  const rows = all.map((meta) => [
    meta.client,
    meta.source,
    String(meta.version),
    meta.keyId,
    meta.rotatedAt,
    meta.fields.join(','),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  '),
    )
    .join('\n');
}
