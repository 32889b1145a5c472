export * from './tallyItems';
