// Streams REST calls to the service that owns their path (http-proxy-middleware): bodies are piped
// both ways, never buffered; X-Forwarded-* headers are added; an upstream that refuses, resets or
// stays silent for PROXY_TIMEOUT_MS is answered 503 `unavailable` (or, once the answer has begun,
// the client connection is cut), so a caller never hangs on a service that is down. Before a call
// is forwarded it passes the REST rate limits (apps/gateway/src/rate-limit/rest-limits.ts).
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type ErrorBody, type ErrorDetail } from '@chat/contracts';
import { APP_CONFIG } from '@chat/service-kit';
import { createProxyMiddleware, type Plugin, type RequestHandler } from 'http-proxy-middleware';
import { type GatewayConfig } from '../config';
import { GatewayMetrics } from '../metrics/gateway.metrics';
import { RestLimits } from '../rate-limit/rest-limits';
import { type Route, routeFor, type UpstreamService, type UpstreamUrls } from './route-table';

export interface RestProxyOptions {
  upstreams: UpstreamUrls;
  /** Longest silence of an upstream (no byte sent) before the call fails. */
  timeoutMs: number;
  /** Called once per proxied call with its final status (503 for proxy failures, 0 when cut). */
  onFinished?: (service: UpstreamService, status: number, seconds: number) => void;
  /** Decides whether a call may go on (rate limits); refused calls are answered 429 `rate_limited`. */
  admit?: (req: IncomingMessage, call: RestCall) => Promise<RestAdmission>;
}

/** What the admission sees of a call: its owner, method and normalised path. */
export interface RestCall {
  service: UpstreamService;
  method: string;
  path: string;
}

export type RestAdmission = { allowed: true } | { allowed: false; error: ErrorDetail; retryAfterMs: number };

const SERVICES: readonly UpstreamService[] = ['auth', 'messaging', 'presence', 'files'];

export function unavailableBody(service: UpstreamService): ErrorBody {
  return { error: { code: 'unavailable', message: `the ${service} service is unavailable; try again` } };
}

function sendRateLimited(res: ServerResponse, error: ErrorDetail, retryAfterMs: number): void {
  const body = JSON.stringify({ error } satisfies ErrorBody);
  const retryAfter = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': retryAfter });
  res.end(body);
}

function sendUnavailable(res: ServerResponse, service: UpstreamService): void {
  if (res.headersSent) {
    // Part of the upstream answer is already out: the only honest signal left is a cut connection.
    res.destroy();
    return;
  }
  const body = JSON.stringify(unavailableBody(service));
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'retry-after': '1' });
  res.end(body);
}

export class RestProxyCore {
  private readonly logger = new Logger('RestProxy');
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly handlers: Readonly<Record<UpstreamService, RequestHandler>>;

  constructor(private readonly options: RestProxyOptions) {
    this.handlers = Object.fromEntries(SERVICES.map((service) => [service, this.createHandler(service)])) as Record<UpstreamService, RequestHandler>;
  }

  /** Takes the request when a service owns its path (true); false leaves it to the gateway. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const route = routeFor(req.url, this.options.upstreams);
    if (!route) return false;
    req.url = route.url;
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 0;
      this.options.onFinished?.(route.service, status, Number(process.hrtime.bigint() - started) / 1e9);
    });
    const { admit } = this.options;
    if (!admit) {
      this.forward(route, req, res);
      return true;
    }
    const call: RestCall = { service: route.service, method: req.method ?? 'GET', path: route.url.split('?', 1)[0] ?? route.url };
    admit(req, call).then(
      (admission) => (admission.allowed ? this.forward(route, req, res) : sendRateLimited(res, admission.error, admission.retryAfterMs)),
      (error: unknown) => {
        // The limits never reject; should one, the call is not refused for it.
        this.logger.warn({ err: error }, 'rate limit admission failed');
        this.forward(route, req, res);
      },
    );
    return true;
  }

  close(): void {
    this.agent.destroy();
  }

  private forward(route: Route, req: IncomingMessage, res: ServerResponse): void {
    this.handlers[route.service](req, res, (error?: unknown) => {
      // Only reached when the middleware itself failed before proxying.
      this.logger.error({ err: error, service: route.service }, 'proxy could not start the call');
      sendUnavailable(res, route.service);
    }).catch((error: unknown) => {
      this.logger.error({ err: error, service: route.service }, 'proxy failed');
      sendUnavailable(res, route.service);
    });
  }

  private createHandler(service: UpstreamService): RequestHandler {
    const guard: Plugin = (proxyServer) => {
      proxyServer.on('error', (error, req, res) => {
        const code = (error as NodeJS.ErrnoException).code ?? error.message;
        this.logger.warn({ service, url: req.url, code }, `proxy to ${service} failed: ${code}`);
        // For plain HTTP calls `res` is the ServerResponse (no WebSocket proxying is configured).
        if ('writeHead' in res) sendUnavailable(res, service);
        else res.destroy();
      });
      proxyServer.on('proxyRes', (proxyRes, _req, res) => {
        // An upstream that dies in the middle of its answer: cut the client too, never leave it waiting.
        proxyRes.once('close', () => {
          if (!proxyRes.complete) res.destroy();
        });
      });
    };
    return createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: this.options.upstreams[service],
      changeOrigin: true,
      xfwd: true,
      proxyTimeout: this.options.timeoutMs,
      agent: this.agent,
      // The default plugins answer errors with 502/504 plain text and log to the console: ours
      // answer the protocol's JSON error and log through pino.
      ejectPlugins: true,
      plugins: [guard],
    });
  }
}

/** The Nest-managed instance, configured from GatewayConfig. */
@Injectable()
export class RestProxy extends RestProxyCore implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: GatewayConfig, metrics: GatewayMetrics, limits: RestLimits) {
    super({
      upstreams: { auth: config.AUTH_URL, messaging: config.MESSAGING_URL, presence: config.PRESENCE_URL, files: config.FILES_URL },
      timeoutMs: config.PROXY_TIMEOUT_MS,
      onFinished: (service, status, seconds) => metrics.proxyDuration.observe({ service, status: String(status) }, seconds),
      admit: (req, call) => limits.admit(req, call),
    });
  }

  onApplicationShutdown(): void {
    this.close();
  }
}
