import { availableParallelism } from 'node:os';
import { loadConfig } from '../../shared/config';
import { PROJECT_ROOT } from '../../cli/paths';
import { mapConcurrency } from '../../shared/runtime/mapConcurrency';
import type { RunSettings } from '../../shared/runtime/RunSettings';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { CredentialStore } from '../../services/credentials';
import { openLocalPorts, type LocalPorts, type LocalPortsOptions } from './openLocalPorts';

export type LocalContext = ServiceContext & { ports: LocalPorts; secrets: CredentialStore };

/**
 * The services' context on the local profile: the config folder, the local ports and the
 * credentials store. Shared by `LocalRuntime` and commands that run a single stage
 * (`dif dlq replay --drain`).
 */
export async function openLocalContext(options: LocalPortsOptions & { configDir: string }): Promise<LocalContext> {
  // A user's config folder names the platforms DIF ships without copying catalog/ into it.
  const config = loadConfig(options.configDir, { shippedCatalogParent: PROJECT_ROOT });
  // Read once here, before the data directory is taken, as the aws profile does: Plan reads no environment.
  const concurrency = mapConcurrency(process.env);
  const ports = await openLocalPorts(options);
  // A split item's pieces run on one worker thread per core, each reading the lake directly.
  const runSettings: RunSettings = {
    mapConcurrency: concurrency,
    ecsSubnets: [],
    pieceThreads: { lakeRoot: ports.objectStore.root, threads: availableParallelism() },
  };
  const secrets = new CredentialStore({ records: ports.secretRecords, keyring: ports.keyring, locks: ports.locks });
  return { config, ports, secrets, now: () => new Date(), runSettings };
}
