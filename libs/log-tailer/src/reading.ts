// What a one-shot read of a log needs (lines, input, file identity, event ids) without the followers'
// and checkpoint stores' modules (mongoose): the package's "./reading" export.
export * from './line-splitter';
export * from './log-input';
export * from './file-identity';
export * from './event-id';
