import type { DifConfig } from '../../shared/config';
import type { StreamDefinition } from '../../shared/config/schema';
import type { CleanChild, CleanReady } from '../../shared/messages/cleanReady';
import type { LoadRequest, TableSpec } from '../../shared/ports/Warehouse';
import { InvalidLoadRequestError } from './errors';

/**
 * Builds the warehouse load request for a clean-ready message from the configuration: schema =
 * the client's `warehouse.schema` (default: the client name), table and mode from the stream's
 * `load`, columns from the message (the transformer wrote the parts with exactly these).
 *
 * @example
 * loadRequestFor(ctx.config, message); // { batchId, table: { schema: 'acme', table: 'campaigns', … }, mode: 'merge', manifestKey }
 */
export function loadRequestFor(config: DifConfig, message: CleanReady): LoadRequest {
  return withOrdering(requestFor(schemaOf(config, message), streamOf(config, message), message), message);
}

/**
 * The load request of one child table of the message (`children.{name}` of its stream), in the
 * same schema as the stream's table, with the child's own ledger key.
 */
export function childLoadRequestFor(config: DifConfig, message: CleanReady, child: CleanChild): LoadRequest {
  const stream = streamOf(config, message);
  const definition = stream.children?.[child.name];
  if (!definition) {
    throw new InvalidLoadRequestError(
      `stream "${message.source}.${message.stream}" has no child table "${child.name}" in the configuration (${config.dir}/sources); deploy the config that produced this message, then replay it`,
    );
  }
  return withOrdering(requestFor(schemaOf(config, message), definition, child), message);
}

/**
 * Every table of an item is ordered by the item (client/source/stream/partition) and its
 * extraction time, so a child table is never refreshed from an older extraction than its stream's.
 */
function withOrdering(request: LoadRequest, message: CleanReady): LoadRequest {
  if (message.extractedAt === undefined) return request;
  return { ...request, ordering: { itemId: message.itemId, extractedAt: message.extractedAt } };
}

/** What a load needs from a table's definition (a stream or a child table) and its clean output. */
function requestFor(
  schema: string,
  definition: Pick<StreamDefinition, 'load' | 'primary_key'>,
  output: Pick<CleanReady, 'batchId' | 'columns' | 'clean'>,
): LoadRequest {
  const { load } = definition;
  const table: TableSpec = {
    schema,
    table: load.table,
    columns: output.columns,
    primaryKey: definition.primary_key,
    ...(load.dist_key ? { distKey: load.dist_key } : {}),
    ...(load.sort_key ? { sortKey: load.sort_key } : {}),
  };
  return {
    batchId: output.batchId,
    table,
    mode: load.mode,
    manifestKey: output.clean.manifestKey,
    ...(output.clean.sourceOrder ? { sourceOrder: output.clean.sourceOrder } : {}),
    ...(load.partition_column ? { partition: { column: load.partition_column } } : {}),
  };
}

function schemaOf(config: DifConfig, message: CleanReady): string {
  const client = config.clients.get(message.client);
  if (!client) {
    throw new InvalidLoadRequestError(
      `client "${message.client}" is not in the configuration (${config.dir}/clients); deploy the config that produced this message, then replay it`,
    );
  }
  return client.warehouse?.schema ?? client.client;
}

function streamOf(config: DifConfig, message: CleanReady): StreamDefinition {
  const source = config.sources.get(message.source);
  const stream = source?.streams[message.stream];
  if (!stream) {
    throw new InvalidLoadRequestError(
      `stream "${message.source}.${message.stream}" is not in the configuration (${config.dir}/sources); deploy the config that produced this message, then replay it`,
    );
  }
  return stream;
}
