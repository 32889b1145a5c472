import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { plan } from '../../../services/extractor/handlers/plan';

/**
 * Lambda entry of the ingest state machine's Plan Task (statemachines/ingest.asl.yml): writes the
 * run's work items to S3 and returns a reference the Distributed Map's ItemReader reads.
 */
export const handler = stateTaskHandler('Plan', plan);
