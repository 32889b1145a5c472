import { CredentialStore } from '../../services/credentials';
import { loadConfig } from '../../shared/config';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { readAwsSettings, type AwsSettings, type Env } from './awsSettings';
import { openAwsPorts } from './openAwsPorts';

/** The aws profile's context: what every service receives, and the settings it was opened with. */
export type AwsContext = ServiceContext & { settings: AwsSettings };

/**
 * The ServiceContext of the aws profile: configuration bundled with the function, ports on AWS,
 * credentials from the encrypted store. Build once per Lambda instance and reuse.
 *
 * @example
 * const ctx = await createAwsContext(); // in a Lambda entry, cached across invocations
 * await plan(ctx, event);
 */
export async function createAwsContext(
  env: Env = process.env,
  settings: AwsSettings = readAwsSettings(env),
): Promise<AwsContext> {
  const config = loadConfig(settings.configDir);
  const ports = openAwsPorts(settings);
  const secrets = CredentialStore.fromPorts(ports);
  return { config, ports, secrets, now: () => new Date(), runSettings: settings.run, settings };
}
