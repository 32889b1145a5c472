export * from './types';
export * from './decodeText';
export * from './decodeJsonLines';
export * from './decodeJsonDocument';
export * from './decodeCsv';
export * from './decodeXml';
export * from './openPayload';
export * from './decodeObject';
