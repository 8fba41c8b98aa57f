// Routes kafkajs's own log lines (WARN and ERROR only) into the Nest logger, hence into pino.
// kafkajs logs every error *response* at ERROR from its connection layer, retriable ones included
// (a coordinator still loading, a topic another process created first); those become WARN here,
// since the calling code reports a failure that is final.
import { Logger } from '@nestjs/common';
import { type LogEntry, logLevel, type logCreator } from 'kafkajs';

export const KAFKA_LOG_LEVEL = logLevel.WARN;

const TRANSIENT_NAMESPACES = new Set(['Connection', 'BrokerPool']);

export const nestLogCreator: logCreator = () => {
  const loggers = new Map<string, Logger>();
  return ({ namespace, level, log }: LogEntry) => {
    const context = `kafkajs${namespace ? `:${namespace}` : ''}`;
    let logger = loggers.get(context);
    if (!logger) {
      logger = new Logger(context);
      loggers.set(context, logger);
    }
    // The timestamp is pino's job; the rest (broker, groupId, error, ...) is structured context.
    const { message, timestamp: _timestamp, logger: _name, ...extra } = log as { message: string; [key: string]: unknown };
    // A line carrying `retryCount` is an attempt kafkajs is about to retry (e.g. a produce to a
    // partition whose leader is not settled just after the topic was created): not final either.
    const retrying = 'retryCount' in extra;
    if (level === logLevel.ERROR && !TRANSIENT_NAMESPACES.has(namespace) && !retrying) logger.error(extra, message);
    else if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(extra, message);
    else logger.debug(extra, message);
  };
};
