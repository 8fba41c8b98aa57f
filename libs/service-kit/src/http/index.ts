export * from './app-error';
export * from './zod-validation.pipe';
export * from './error.filter';
export * from './static-files';
export * from './client-address';
