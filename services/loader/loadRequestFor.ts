import type { DifConfig } from '../../shared/config';
import type { StreamDefinition } from '../../shared/config/schema';
import type { CleanReady } from '../../shared/messages/cleanReady';
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
  const stream = streamOf(config, message);
  const client = config.clients.get(message.client);
  if (!client) {
    throw new InvalidLoadRequestError(`client "${message.client}" is not in the configuration (${config.dir}/clients); deploy the config that produced this message, then replay it`);
  }
  const table: TableSpec = {
    schema: client.warehouse?.schema ?? client.client,
    table: stream.load.table,
    columns: message.columns,
    primaryKey: stream.primary_key,
    ...(stream.load.dist_key ? { distKey: stream.load.dist_key } : {}),
    ...(stream.load.sort_key ? { sortKey: stream.load.sort_key } : {}),
  };
  return {
    batchId: message.batchId,
    table,
    mode: stream.load.mode,
    manifestKey: message.clean.manifestKey,
    ...(stream.load.partition_column ? { partition: { column: stream.load.partition_column } } : {}),
  };
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
