export * from './metrics.service';
export * from './metrics.server';
export * from './metrics.module';
