// Starts a service the same way everywhere: buffered logs until pino is ready, 64 KiB JSON bodies,
// /docs, metrics on their own port (METRICS_PORT), and a SIGTERM sequence of drain (readiness fails), stop consumers and finish in-flight
// work (onModuleDestroy), close the HTTP server, then close engine clients (onApplicationShutdown).
import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { LIMITS } from '@chat/contracts';
import { type BaseConfig } from './config';
import { serveDocs } from './docs/docs';
import { ReadinessRegistry } from './health';
import { MetricsServer, MetricsService } from './metrics';
import { type ServiceIdentity } from './service-identity';

export interface BootstrapOptions {
  identity: ServiceIdentity;
  module: Type<unknown> | DynamicModule;
  config: BaseConfig & { PORT: number };
  version?: string;
  /** Extra wiring before listen (e.g. a Socket.IO adapter). */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

export async function bootstrapService(options: BootstrapOptions): Promise<INestApplication> {
  const { identity, config } = options;
  const app = await NestFactory.create<NestExpressApplication>(options.module, { bufferLogs: true, bodyParser: false });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useBodyParser('json', { limit: LIMITS.socketPayloadMaxBytes });
  app.get(MetricsService).setServiceName(identity.service, identity.instanceId);
  serveDocs(app, identity.service, options.version ?? '1.0.0');
  await options.configure?.(app);

  installShutdown(app, logger, config.SHUTDOWN_GRACE_MS);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));

  let metricsPort: number;
  try {
    metricsPort = await app.get(MetricsServer).listen(config.HOST, config.METRICS_PORT);
    await app.listen(config.PORT, config.HOST);
  } catch (error) {
    // A port taken, a consumer that cannot start: a process that stayed up here would never be
    // ready (its clients keep the event loop alive); exit, so a supervisor starts it again.
    logger.error({ err: error }, `${identity.service} could not start; exiting`);
    // Close what started (Kafka groups leave at once), but never wait for it longer than the grace.
    await Promise.race([app.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_GRACE_MS).unref())]);
    process.exit(1);
  }
  logger.log(`${identity.service} (${identity.instanceId}) listening on http://${config.HOST}:${config.PORT}; metrics on http://${config.HOST}:${metricsPort}/metrics`);
  return app;
}

function installShutdown(app: INestApplication, logger: Logger, graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: draining`);
    app.get(ReadinessRegistry).startDraining();
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs);
    deadline.unref();
    app
      .close()
      .then(() => {
        logger.log('stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
