import { UserError } from '../UserError';
import { awsOperatorPorts } from './awsOperatorPorts';
import { localOperatorPorts } from './localOperatorPorts';
import type { OperatorPorts } from './OperatorPorts';

/** The profiles DESIGN.md §3 names; `local` is the default. */
export const PROFILES = ['local', 'aws'] as const;

/**
 * The operating commands' ports for a profile: `DIF_PROFILE=aws` reads the deployed stack
 * (DynamoDB, SQS), anything else unset or `local` the data directory.
 *
 * @example
 * const ports = operatorPortsFor(process.env.DIF_PROFILE);
 */
export function operatorPortsFor(
  profile: string | undefined,
  env: Record<string, string | undefined> = process.env,
): OperatorPorts {
  if (profile === undefined || profile === '' || profile === 'local') return localOperatorPorts;
  if (profile === 'aws') return awsOperatorPorts(env);
  throw new UserError(`DIF_PROFILE must be one of ${PROFILES.join(', ')}, got "${profile}"`);
}

/**
 * Ports chosen when a command runs (not when it is registered), so `DIF_PROFILE` set by a test
 * or a wrapper script before parsing is honoured.
 */
export const profileOperatorPorts: OperatorPorts = {
  where: (location) => operatorPortsFor(process.env.DIF_PROFILE).where(location),
  openRunState: (location) => operatorPortsFor(process.env.DIF_PROFILE).openRunState(location),
  openQueues: (location) => operatorPortsFor(process.env.DIF_PROFILE).openQueues(location),
  liveRunIds: async (location) => operatorPortsFor(process.env.DIF_PROFILE).liveRunIds?.(location),
  openStageContext: (location, options) =>
    operatorPortsFor(process.env.DIF_PROFILE).openStageContext(location, options),
};
