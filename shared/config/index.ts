export * from './schema';
export * from './columnType';
export * from './errors';
export * from './loadConfig';
export * from './template';
export * from './formatIssues';
export * from './shortDuration';
export * from './credentialKey';
