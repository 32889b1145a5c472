import { plan, type PlanInput, type PlanOutput } from '../../services/extractor/handlers/plan';
import { listWorkItems } from '../../services/extractor/workItemFile';
import type { WorkItem } from '../../shared/messages/workItem';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

/**
 * Plan, then the work items it wrote to the object store (Plan's output carries only their
 * file): for tests that extract the planned items one by one.
 */
export async function planItems(
  ctx: ServiceContext,
  input: PlanInput,
): Promise<Omit<PlanOutput, 'items'> & { items: WorkItem[]; file: PlanOutput['items'] }> {
  const output = await plan(ctx, input);
  return { ...output, file: output.items, items: await listWorkItems(ctx.ports.objectStore, output.items.key) };
}
