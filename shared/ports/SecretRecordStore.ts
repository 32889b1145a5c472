/** An envelope-encrypted credential as stored: nothing here is secret without the keyring. */
export interface SecretRecord {
  client: string;
  source: string;
  /** Increases by one on every write; writes are conditional on the previous version. */
  version: number;
  /** base64 of nonce ‖ ciphertext ‖ GCM tag. */
  ciphertext: string;
  /** base64 of the data key encrypted by the keyring. */
  encryptedDataKey: string;
  keyId: string;
  /** Names of the fields inside (e.g. `access_token`, `refresh_token`), never their values. */
  fields: string[];
  createdAt: string;
  rotatedAt: string;
}

/**
 * Storage for encrypted credentials (`CRED#client#source` in run state).
 *
 * Adapters: `SqliteSecretRecordStore` (local), `DynamoSecretRecordStore` (aws).
 */
export interface SecretRecordStore {
  get(client: string, source: string): Promise<SecretRecord | undefined>;
  /**
   * Writes `record` only if the stored version is `record.version - 1` (or none exists when
   * `record.version` is 1). Returns false when another writer won.
   */
  put(record: SecretRecord): Promise<boolean>;
  list(): Promise<SecretRecord[]>;
  delete(client: string, source: string): Promise<void>;
}
