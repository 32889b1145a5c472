export * from './workItem';
export * from './rawReady';
export * from './cleanReady';
export * from './parseMessage';
export * from './messageEnvelope';
export * from './rawRange';
