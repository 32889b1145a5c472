export * from './types';
export * from './PathSyntaxError';
export * from './parsePath';
export * from './selectPath';
export * from './selectRecords';
export * from './readPath';
export * from './compileValueReader';
