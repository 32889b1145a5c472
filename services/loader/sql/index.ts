export * from './quoteIdentifier';
export * from './warehouseTypes';
export * from './planSchemaChange';
export * from './tableSql';
