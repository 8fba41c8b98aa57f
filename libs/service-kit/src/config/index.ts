export * from './config';
export * from './schemas';
export * from './engines';
export * from './config.token';
