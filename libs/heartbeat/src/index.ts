export * from './clock';
export * from './protocol';
export * from './detector';
export * from './runner';
