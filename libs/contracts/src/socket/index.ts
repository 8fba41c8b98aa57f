export * from './payloads';
export * from './events';
export * from './client-events';
