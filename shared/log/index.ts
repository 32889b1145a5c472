export * from './logger';
export * from './secretRedactor';
