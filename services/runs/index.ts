export * from './plan';
export * from './handlers/plan';
export * from './handlers/finalize';
export * from './handlers/recordFailure';
export * from './workItemFile';
