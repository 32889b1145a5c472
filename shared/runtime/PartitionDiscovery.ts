import type { StreamDefinition } from '../config/schema';
import type { TemplateScope } from '../config/template';
import type { ServiceContext } from './ServiceContext';

/** The partitions one stream's `partition.from_stream` yields for one client. */
export interface Discovery {
  /** One entry per kept record, its partition values by name, in discovery order, without duplicates. */
  values: Record<string, string>[];
  /** Records the discovery stream returned, before `include`/`exclude`. */
  found: number;
}

/** Who discovers: one client × source × stream, with the scope its templates read. */
export interface DiscoveryTarget {
  client: string;
  source: string;
  stream: string;
  definition: StreamDefinition;
  scope: TemplateScope;
}

/** Records of a discovery stream per client/source/stream, requested once per Plan however many streams use them. */
export type DiscoveryCache = Map<string, Promise<unknown[]>>;

/**
 * Requests a stream's partitions from its API. Plan (services/runs) needs it and the extractor
 * (services/extractor `discoverPartitions`) can do it; services never import each other, so the
 * profile hands the one to the other through this contract.
 */
export type DiscoverPartitions = (
  ctx: ServiceContext,
  target: DiscoveryTarget,
  runId: string,
  cache: DiscoveryCache,
) => Promise<Discovery>;
