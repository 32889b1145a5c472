import { Redis } from 'ioredis';

/** Connection settings shared by every Redis client DIF opens. */
export interface RedisConnectionOptions {
  /** How long one command may take before it fails (ms). Default 2000. */
  commandTimeoutMs?: number;
  /** How long a connection attempt may take (ms). Default 2000. */
  connectTimeoutMs?: number;
  /**
   * Fail commands at once while disconnected instead of holding them until the next reconnect.
   * Right for Redlock nodes: a down node should vote "no" immediately, the quorum decides.
   */
  failWhileDisconnected?: boolean;
}

/**
 * Opens an ioredis client that fails fast instead of queueing commands forever while Redis is
 * down: a limiter decision that cannot be made must surface as an error (or the configured
 * fallback) within about a second, never as a silent hang.
 *
 * @example
 * const redis = connectRedis('redis://127.0.0.1:6379');
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const client = new Redis(url, {
    lazyConnect: !options.failWhileDisconnected,
    enableOfflineQueue: !options.failWhileDisconnected,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    // Keep reconnecting in the background so the limiter recovers when Redis comes back.
    retryStrategy: (times) => Math.min(50 * times, 1000),
  });
  // Without a listener ioredis prints every reconnect failure; callers see errors on commands.
  client.on('error', () => undefined);
  return client;
}

/** Resolves once `client` is connected or its first connection attempt has failed. */
export async function firstConnectAttempt(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      client.off('end', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
    client.once('error', done);
    client.once('end', done);
  });
}
