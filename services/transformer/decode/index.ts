export * from './types';
export * from './decodeText';
export * from './jsonLines';
export * from './jsonDocument';
export * from './csv';
export * from './xml';
export * from './payload';
export * from './decodeObject';
