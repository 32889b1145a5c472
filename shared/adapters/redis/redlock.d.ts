/*
 * redlock 5.0.0-beta.2 ships types at dist/index.d.ts but its package.json `exports` map does not
 * list them, so TypeScript's Bundler resolution cannot find them. This declares the part DIF uses,
 * copied from that file.
 */
declare module 'redlock' {
  import { EventEmitter } from 'node:events';
  import type { Redis, Cluster } from 'ioredis';

  type Client = Redis | Cluster;

  export type ExecutionStats = {
    readonly membershipSize: number;
    readonly quorumSize: number;
    readonly votesFor: Set<Client>;
    readonly votesAgainst: Map<Client, Error>;
  };

  export interface Settings {
    readonly driftFactor: number;
    readonly retryCount: number;
    readonly retryDelay: number;
    readonly retryJitter: number;
    readonly automaticExtensionThreshold: number;
  }

  export class ResourceLockedError extends Error {
    readonly message: string;
  }

  export class ExecutionError extends Error {
    readonly message: string;
    readonly attempts: ReadonlyArray<Promise<ExecutionStats>>;
  }

  export type RedlockAbortSignal = AbortSignal & { error?: Error };

  export default class Redlock extends EventEmitter {
    constructor(clients: Iterable<Client>, settings?: Partial<Settings>);
    using<T>(
      resources: string[],
      duration: number,
      settings: Partial<Settings>,
      routine: (signal: RedlockAbortSignal) => Promise<T>,
    ): Promise<T>;
    quit(): Promise<void>;
  }
}
