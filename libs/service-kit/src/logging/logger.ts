// Structured JSON logs (pino), secrets redacted, health and metrics scrapes not logged.
import { type IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { type DynamicModule } from '@nestjs/common';
import { type BaseConfig } from '../config';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
];

const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

export function isQuietPath(url: string | undefined): boolean {
  return url !== undefined && QUIET_PATHS.test(url);
}

export function loggerModule(service: string, instance: string, config: BaseConfig): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      name: service,
      level: config.LOG_LEVEL,
      base: { service, instance },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (req: IncomingMessage) => isQuietPath(req.url) },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
      ...(config.LOG_PRETTY
        ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,req,res' } } }
        : {}),
    },
  });
}
