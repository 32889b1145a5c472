export * from './tallyItems';
export * from './emptyItemsWarning';
export * from './redactRunStateWrites';
export * from './runStatusAt';
