import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { KeyringDecryptError, type DataKey, type EncryptionContext, type Keyring } from '../../ports';
import { KeyringFileError } from './KeyringFileError';

export { KeyringFileError };

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_FORMAT = 1;
const FILE_MODE = 0o600;

const keyringFileSchema = z.object({
  format: z.literal(1),
  current: z.string().min(1),
  keys: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/),
        key: z
          .string()
          .refine((text) => Buffer.from(text, 'base64').length === KEY_BYTES, 'must be 32 bytes of base64'),
        createdAt: z.string(),
      }),
    )
    .min(1),
});
type KeyringFile = z.infer<typeof keyringFileSchema>;

export interface FileKeyringOptions {
  /** Create the file with one fresh master key when it does not exist (default true). */
  create?: boolean;
  now?: () => Date;
}

/**
 * The local stand-in for KMS: AES-256-GCM master keys kept in a JSON file readable only by
 * its owner (mode 0600). Data keys are wrapped as
 * `format(1) ‖ idLength(1) ‖ keyId ‖ nonce(12) ‖ wrapped key(32) ‖ tag(16)`, with the header
 * and the canonical JSON of the sorted encryption context as GCM additional data, so a data
 * key made for one context never opens under another, exactly like KMS.
 *
 * @example
 * const keyring = await FileKeyring.open('.dif/keyring.json');
 * const { plaintext, encrypted } = await keyring.generateDataKey({ client: 'acme', source: 'graph_ads' });
 */
export class FileKeyring implements Keyring {
  private constructor(
    readonly path: string,
    private file: KeyringFile,
    private readonly now: () => Date,
  ) {}

  /**
   * Opens (or creates, mode 0600) the keyring at `path`. Refuses a file that group or others
   * may read or write: anyone who can read it can decrypt every stored credential.
   */
  static async open(path: string, options: FileKeyringOptions = {}): Promise<FileKeyring> {
    const now = options.now ?? (() => new Date());
    const existing = await readKeyringFile(path);
    if (existing) return new FileKeyring(path, existing, now);
    if (options.create === false) {
      throw new KeyringFileError(
        path,
        `keyring ${path} does not exist; restore it from backup (stored credentials can only be decrypted with it)`,
      );
    }
    const fresh: KeyringFile = { format: 1, current: '', keys: [] };
    addKey(fresh, now());
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      await writeNewFile(path, fresh);
      return new FileKeyring(path, fresh, now);
    } catch (error) {
      // Another process created it between our read and our exclusive create: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new FileKeyring(path, (await readKeyringFile(path))!, now);
    }
  }

  currentKeyId(): string {
    return this.file.current;
  }

  /** Every master key id, oldest first. */
  keyIds(): string[] {
    return this.file.keys.map((key) => key.id);
  }

  async generateDataKey(context: EncryptionContext, keyId?: string): Promise<DataKey> {
    const id = keyId ?? this.file.current;
    const master = await this.masterKey(id);
    if (!master)
      throw new KeyringFileError(
        this.path,
        `master key ${id} is not in keyring ${this.path}; use one of: ${this.keyIds().join(', ')}`,
      );
    const plaintext = randomBytes(KEY_BYTES);
    const header = wrapHeader(id);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master, nonce);
    cipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
    const wrapped = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, encrypted: Buffer.concat([header, nonce, wrapped, cipher.getAuthTag()]), keyId: id };
  }

  async decryptDataKey(encrypted: Buffer, context: EncryptionContext): Promise<Buffer> {
    const { keyId, header, nonce, wrapped, tag } = parseWrapped(encrypted);
    const master = await this.masterKey(keyId);
    if (!master) {
      throw new KeyringDecryptError(
        `master key ${keyId} is not in keyring ${this.path}; restore the keyring file that holds it`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', master, nonce);
      decipher.setAAD(Buffer.concat([header, canonicalContext(context)]));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(wrapped), decipher.final()]);
    } catch {
      throw new KeyringDecryptError(
        `data key did not authenticate under master key ${keyId}: the encryption context does not match or the encrypted key was altered`,
      );
    }
  }

  /**
   * Adds a fresh master key and makes it current; older keys stay so existing data keys still
   * decrypt. Run `reencrypt` afterwards to move stored secrets under the new key.
   * Returns the new key id.
   */
  async rotate(): Promise<string> {
    // Re-read first so a key added by another process is kept.
    const latest = (await readKeyringFile(this.path)) ?? this.file;
    const id = addKey(latest, this.now());
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeNewFile(temporary, latest);
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    this.file = latest;
    return id;
  }

  private async masterKey(id: string): Promise<Buffer | undefined> {
    let entry = this.file.keys.find((key) => key.id === id);
    if (!entry) {
      // Another process may have rotated since we opened the file.
      this.file = (await readKeyringFile(this.path)) ?? this.file;
      entry = this.file.keys.find((key) => key.id === id);
    }
    return entry ? Buffer.from(entry.key, 'base64') : undefined;
  }
}

/** JSON of the context with keys sorted, so the same context always gives the same bytes. */
function canonicalContext(context: EncryptionContext): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(Object.fromEntries(sorted)), 'utf8');
}

function wrapHeader(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  return Buffer.concat([Buffer.from([WRAP_FORMAT, id.length]), id]);
}

function parseWrapped(encrypted: Buffer): {
  keyId: string;
  header: Buffer;
  nonce: Buffer;
  wrapped: Buffer;
  tag: Buffer;
} {
  const idLength = encrypted[1] ?? 0;
  const headerLength = 2 + idLength;
  if (encrypted[0] !== WRAP_FORMAT || encrypted.length !== headerLength + NONCE_BYTES + KEY_BYTES + TAG_BYTES) {
    throw new KeyringDecryptError(
      `encrypted data key is malformed (${encrypted.length} bytes, format ${encrypted[0]}); it was not made by this keyring or was altered`,
    );
  }
  let offset = headerLength;
  const take = (length: number) => encrypted.subarray(offset, (offset += length));
  return {
    keyId: encrypted.subarray(2, headerLength).toString('utf8'),
    header: encrypted.subarray(0, headerLength),
    nonce: take(NONCE_BYTES),
    wrapped: take(KEY_BYTES),
    tag: take(TAG_BYTES),
  };
}

function addKey(file: KeyringFile, now: Date): string {
  const id = `local-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  file.keys.push({ id, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: now.toISOString() });
  file.current = id;
  return id;
}

async function writeNewFile(path: string, file: KeyringFile): Promise<void> {
  // 'wx' + mode: the file never exists with wider permissions, not even for an instant.
  const handle = await open(path, 'wx', FILE_MODE);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
    await handle.chmod(FILE_MODE);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readKeyringFile(path: string): Promise<KeyringFile | undefined> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new KeyringFileError(
      path,
      `keyring ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8)}); anyone who can read it can decrypt every stored credential. Run: chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new KeyringFileError(
      path,
      `keyring ${path} is not valid JSON (${(error as Error).message}); restore it from backup — without it stored credentials cannot be decrypted`,
    );
  }
  const result = keyringFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new KeyringFileError(
      path,
      `keyring ${path} is not a DIF keyring: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}; restore it from backup`,
    );
  }
  if (!result.data.keys.some((key) => key.id === result.data.current)) {
    throw new KeyringFileError(
      path,
      `keyring ${path} names current key ${result.data.current}, which it does not contain; restore it from backup`,
    );
  }
  return result.data;
}
