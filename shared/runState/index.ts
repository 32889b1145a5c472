export * from './tallyItems';
export * from './runStatusAt';
