import type { DifConfig } from '../config';
import type { Ports } from '../ports';
import type { RunSettings } from './RunSettings';

/**
 * Decrypted credentials of one client × source, as a flat map read by `{{ secrets.NAME }}`.
 * Implemented by services/credentials (`CredentialStore`).
 */
export interface SecretProvider {
  /**
   * `fresh: true` skips the short in-memory cache (read it right before using a single-use
   * value such as an OAuth refresh token, which another worker may have rotated).
   */
  get(client: string, source: string, options?: { fresh?: boolean }): Promise<Record<string, string>>;
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
  /** How runs fan out; the profile reads it once ({@link RunSettings}). Absent: the defaults. */
  runSettings?: RunSettings;
}
