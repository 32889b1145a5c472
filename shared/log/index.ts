export * from './logger';
export * from './secretRedactor';
export * from './redactUrl';
