// @chat/testing: helpers for integration and end-to-end tests (unique names, waiting, ports,
// service processes). Never imported by production code.
export * from './ids';
export * from './wait';
export * from './ports';
export * from './service-process';
export * from './tcp-proxy';
export * from './run-data';
export * from './http';
export * from './local-cassandra';
