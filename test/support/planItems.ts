import { discoverPartitions } from '../../services/extractor/partition/discoverPartitions';
import { plan, type PlanInput, type PlanOutput } from '../../services/runs/handlers/plan';
import { listWorkItems } from '../../services/runs/workItemFile';
import type { WorkItem } from '../../shared/messages/workItem';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

/**
 * Plan (discovering partitions through the extractor, as the profiles wire it), then the work items it wrote to the object store (Plan's output carries only their
 * file): for tests that extract the planned items one by one.
 */
export async function planItems(
  ctx: ServiceContext,
  input: PlanInput,
): Promise<Omit<PlanOutput, 'items'> & { items: WorkItem[]; file: PlanOutput['items'] }> {
  const output = await plan(ctx, input, discoverPartitions);
  return { ...output, file: output.items, items: await listWorkItems(ctx.ports.objectStore, output.items.key) };
}
