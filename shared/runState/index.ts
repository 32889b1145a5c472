export * from './tallyItems';
export * from './emptyItemsWarning';
