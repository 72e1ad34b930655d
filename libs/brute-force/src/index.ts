export * from './attempts';
export * from './ignore-list';
export * from './sliding-windows';
export * from './window-snapshot';
export * from './brute-force-detector';
