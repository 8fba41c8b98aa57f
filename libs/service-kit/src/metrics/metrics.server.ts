// Serves GET /metrics on its own port (METRICS_PORT), never on the service's public port: the
// gateway's port is the Internet-facing origin, and the series name users, channels and internals.
// Only Prometheus (the k8s PodMonitor, the monitoring namespace's NetworkPolicy rule) reaches it.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from './metrics.service';

export const METRICS_PATH = '/metrics';

@Injectable()
export class MetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger('MetricsServer');
  private server: Server | undefined;

  constructor(private readonly metrics: MetricsService) {}

  /** Listens on host:port (0: a free port); resolves with the port. */
  async listen(host: string, port: number): Promise<number> {
    if (this.server) throw new Error('the metrics server is already listening');
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`only GET ${METRICS_PATH} is served here\n`);
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (error: unknown) => {
          this.logger.error({ err: error }, 'could not collect metrics');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('could not collect metrics\n');
        },
      );
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  get port(): number | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /** Closed last, so a draining pod stays scrapeable until it exits. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
