export * from './errors';
export * from './loadItem';
export * from './loadRequestFor';
export * from './advanceCursor';
export * from './handlers/load';
export * from './warehouse';
export * from './sql';
