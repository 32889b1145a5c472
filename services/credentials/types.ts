import type { Keyring, LockManager, SecretRecordStore } from '../../shared/ports';

/** Decrypted credential fields of one client × source, read by `{{ secrets.NAME }}`. */
export type SecretValues = Record<string, string>;

/** What may be shown about a stored credential: everything except the values. */
export interface CredentialMetadata {
  client: string;
  source: string;
  version: number;
  keyId: string;
  fields: string[];
  createdAt: string;
  rotatedAt: string;
}

export interface CredentialStoreOptions {
  records: SecretRecordStore;
  keyring: Keyring;
  /** Serialises writers of one credential across workers (`cred:{client}:{source}`). */
  locks: LockManager;
  /** How long decrypted values are reused before the store is read again (default 60 s; 0 = never cache). */
  cacheTtlMs?: number;
  /** Conditional-write attempts before giving up when other writers keep winning (default 8). */
  maxWriteAttempts?: number;
  now?: () => Date;
}

export interface GetOptions {
  /** Skip the cache and read the store (e.g. just before an OAuth refresh). */
  fresh?: boolean;
}

export interface ReencryptOptions {
  /** Re-wrap even records already under the target key (new data keys for every secret). */
  force?: boolean;
}

export interface ReencryptSummary {
  /** The master key every moved secret is now under. */
  keyId: string;
  moved: CredentialMetadata[];
  skipped: CredentialMetadata[];
  /** Records that could not be decrypted; they are left untouched. */
  failed: { client: string; source: string; reason: string }[];
}
