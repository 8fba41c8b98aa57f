// @chat/service-kit: configuration, logging, health, metrics, errors and start-up for every service.
export * from './config';
export * from './health';
export * from './http';
export * from './logging';
export * from './metrics';
export * from './docs/docs';
export * from './service-identity';
export * from './service-kit.module';
export * from './bootstrap';
