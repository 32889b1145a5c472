import type { DifConfig } from '../config';
import type { Ports } from '../ports';

/**
 * Decrypted credentials of one client × source, as a flat map read by `{{ secrets.NAME }}`.
 * Implemented by services/credentials (`CredentialStore`).
 */
export interface SecretProvider {
  get(client: string, source: string): Promise<Record<string, string>>;
  /**
   * Persists rotated values (e.g. a new OAuth refresh token) merged into the stored ones.
   * Safe under concurrency: the newest value wins and no writer loses it.
   */
  rotate(client: string, source: string, changes: Record<string, string>): Promise<void>;
}

/** What every service's domain code receives: configuration, ports and secrets. No AWS types. */
export interface ServiceContext {
  config: DifConfig;
  ports: Ports;
  secrets: SecretProvider;
  /** Injected clock for partition planning and timestamps. */
  now: () => Date;
}
