import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { discoverPartitions } from '../../../services/extractor/partition/discoverPartitions';
import { plan, type PlanInput } from '../../../services/runs/handlers/plan';

/**
 * Lambda entry of the ingest state machine's Plan Task (statemachines/ingest.asl.yml): writes the
 * run's work items to S3 and returns a reference the Distributed Map's ItemReader reads. Streams
 * that discover their partitions are requested through the extractor, wired here.
 */
export const handler = stateTaskHandler('Plan', (ctx, input: PlanInput) => plan(ctx, input, discoverPartitions));
