import type { Keyring, LockManager, Ports, SecretRecord, SecretRecordStore } from '../../shared/ports';
import type { SecretProvider } from '../../shared/runtime/ServiceContext';
import { registerSecrets } from '../../shared/log/secretRedactor';
import { decryptSecret } from './decryptSecret';
import { encryptSecret } from './encryptSecret';
import { CredentialDecryptError, CredentialNotFoundError, CredentialWriteConflictError } from './errors';
import type {
  CredentialMetadata,
  CredentialStoreOptions,
  GetOptions,
  ReencryptOptions,
  ReencryptSummary,
  SecretValues,
} from './types';
import { validateSecretValues } from './validateSecretValues';

const DEFAULT_CACHE_TTL_MS = 60_000;
const DEFAULT_MAX_WRITE_ATTEMPTS = 8;

interface CacheEntry {
  values: SecretValues;
  expiresAt: number;
}

/**
 * Credentials of every client × source, envelope-encrypted at rest and decrypted only in
 * memory. Reads are cached briefly; writes are versioned, conditional and serialised by a lock
 * per credential, so concurrent OAuth refreshes never lose the newest token. Every decrypted
 * value is registered with the log redactor.
 *
 * @example
 * const store = CredentialStore.fromPorts(ctx.ports);
 * await store.put('acme', 'graph_ads', { access_token: '…', app_id: '…' });
 * const { access_token } = await store.get('acme', 'graph_ads');
 * await store.rotate('acme', 'graph_ads', { refresh_token: newRefreshToken });
 */
export class CredentialStore implements SecretProvider {
  /** The master-key service this store encrypts under (the CLI's `rotate-key` uses it). */
  readonly keyring: Keyring;
  private readonly records: SecretRecordStore;
  private readonly locks: LockManager;
  private readonly cacheTtlMs: number;
  private readonly maxWriteAttempts: number;
  private readonly now: () => Date;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: CredentialStoreOptions) {
    this.records = options.records;
    this.keyring = options.keyring;
    this.locks = options.locks;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.maxWriteAttempts = options.maxWriteAttempts ?? DEFAULT_MAX_WRITE_ATTEMPTS;
    this.now = options.now ?? (() => new Date());
  }

  /** A store over a profile's ports (secret records, keyring, locks). */
  static fromPorts(
    ports: Pick<Ports, 'secretRecords' | 'keyring' | 'locks'>,
    options: Omit<CredentialStoreOptions, 'records' | 'keyring' | 'locks'> = {},
  ): CredentialStore {
    return new CredentialStore({
      ...options,
      records: ports.secretRecords,
      keyring: ports.keyring,
      locks: ports.locks,
    });
  }

  /**
   * Stores `values` as the credential's complete new set of fields (replacing any previous
   * ones), as a new version under the current master key.
   */
  async put(client: string, source: string, values: Record<string, unknown>): Promise<CredentialMetadata> {
    const checked = validateSecretValues(client, source, values);
    registerSecrets(Object.values(checked));
    return this.write(client, source, () => checked, { allowCreate: true });
  }

  /** The decrypted fields, from the cache when younger than `cacheTtlMs`. */
  async get(client: string, source: string, options: GetOptions = {}): Promise<SecretValues> {
    const key = cacheKey(client, source);
    const cached = this.cache.get(key);
    if (cached && !options.fresh && cached.expiresAt > this.now().getTime()) return { ...cached.values };
    const record = await this.records.get(client, source);
    if (!record) {
      this.cache.delete(key);
      throw new CredentialNotFoundError(client, source);
    }
    const values = await this.open(record);
    this.remember(client, source, values);
    return { ...values };
  }

  /**
   * Merges `changes` into the stored fields and persists them as a new version. Runs under the
   * lock `cred:{client}:{source}`; if a writer without the lock (an expired lock, another
   * deployment) still wins the conditional write, this one re-reads and re-applies its changes,
   * so neither the newest token nor any other field is lost.
   */
  async rotate(client: string, source: string, changes: Record<string, string>): Promise<void> {
    await this.merge(client, source, changes);
  }

  /** {@link rotate}, returning the metadata of the version it wrote. */
  async merge(client: string, source: string, changes: Record<string, string>): Promise<CredentialMetadata> {
    const checked = validateSecretValues(client, source, changes);
    registerSecrets(Object.values(checked));
    return this.write(client, source, (current) => ({ ...current, ...checked }), { allowCreate: false });
  }

  /** Metadata of every stored credential (never values). */
  async list(): Promise<CredentialMetadata[]> {
    return (await this.records.list()).map(metadataOf);
  }

  /** Metadata of one credential (never values). */
  async describe(client: string, source: string): Promise<CredentialMetadata> {
    const record = await this.records.get(client, source);
    if (!record) throw new CredentialNotFoundError(client, source);
    return metadataOf(record);
  }

  /** Deletes a credential; false when there was none. */
  async delete(client: string, source: string): Promise<boolean> {
    return this.locks.withLock(lockKey(client, source), async () => {
      this.cache.delete(cacheKey(client, source));
      const existed = (await this.records.get(client, source)) !== undefined;
      await this.records.delete(client, source);
      return existed;
    });
  }

  /**
   * Moves every stored credential under `newKeyId` (default: the keyring's current key) with a
   * fresh data key each, as a new version; values and timestamps are unchanged. Records already
   * under the target key are skipped unless `force`. Records that cannot be decrypted are
   * reported in `failed` and left as they are.
   */
  async reencrypt(newKeyId?: string, options: ReencryptOptions = {}): Promise<ReencryptSummary> {
    const keyId = newKeyId ?? this.keyring.currentKeyId();
    const summary: ReencryptSummary = { keyId, moved: [], skipped: [], failed: [] };
    for (const listed of await this.records.list()) {
      if (listed.keyId === keyId && !options.force) {
        summary.skipped.push(metadataOf(listed));
        continue;
      }
      try {
        summary.moved.push(
          await this.write(listed.client, listed.source, (current) => current, {
            allowCreate: false,
            keyId,
            keepRotatedAt: true,
          }),
        );
      } catch (error) {
        if (!(error instanceof CredentialDecryptError) && !(error instanceof CredentialNotFoundError)) throw error;
        summary.failed.push({ client: listed.client, source: listed.source, reason: error.message });
      }
    }
    return summary;
  }

  /** Forgets cached values (all, or one credential's). */
  invalidate(client?: string, source?: string): void {
    if (client === undefined || source === undefined) this.cache.clear();
    else this.cache.delete(cacheKey(client, source));
  }

  /** Read-modify-conditional-write under the credential's lock, retried when another writer wins. */
  private async write(
    client: string,
    source: string,
    change: (current: SecretValues) => SecretValues,
    options: { allowCreate: boolean; keyId?: string; keepRotatedAt?: boolean },
  ): Promise<CredentialMetadata> {
    return this.locks.withLock(lockKey(client, source), async () => {
      for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt++) {
        const stored = await this.records.get(client, source);
        if (!stored && !options.allowCreate) throw new CredentialNotFoundError(client, source);
        const current = stored ? await this.open(stored) : {};
        const values = change(current);
        const now = this.now().toISOString();
        const record = await encryptSecret(this.keyring, {
          client,
          source,
          values,
          version: (stored?.version ?? 0) + 1,
          createdAt: stored?.createdAt ?? now,
          rotatedAt: options.keepRotatedAt && stored ? stored.rotatedAt : now,
          keyId: options.keyId,
        });
        if (await this.records.put(record)) {
          this.remember(client, source, values);
          return metadataOf(record);
        }
      }
      throw new CredentialWriteConflictError(client, source, this.maxWriteAttempts);
    });
  }

  private async open(record: SecretRecord): Promise<SecretValues> {
    const values = await decryptSecret(this.keyring, record);
    registerSecrets(Object.values(values));
    return values;
  }

  private remember(client: string, source: string, values: SecretValues): void {
    if (this.cacheTtlMs <= 0) return;
    this.cache.set(cacheKey(client, source), {
      values: { ...values },
      expiresAt: this.now().getTime() + this.cacheTtlMs,
    });
  }
}

function cacheKey(client: string, source: string): string {
  return `${client}\u0000${source}`;
}

function lockKey(client: string, source: string): string {
  return `cred:${client}:${source}`;
}

function metadataOf(record: SecretRecord): CredentialMetadata {
  return {
    client: record.client,
    source: record.source,
    version: record.version,
    keyId: record.keyId,
    fields: [...record.fields],
    createdAt: record.createdAt,
    rotatedAt: record.rotatedAt,
  };
}
