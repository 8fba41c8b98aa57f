// Which service owns a REST path: the contracts' ROUTE_PREFIXES (longest prefix first), never the
// gateway's own routes. Paths are normalised first (dot segments resolved, the way the upstream
// would read them) so that `/api/../health` cannot smuggle a request past the decision.
import { serviceForPath, type ServiceName } from '@chat/contracts';

export type UpstreamService = Exclude<ServiceName, 'gateway'>;
export type UpstreamUrls = Readonly<Record<UpstreamService, string>>;

/**
 * Served by the gateway itself (or by Socket.IO): never proxied whatever ROUTE_PREFIXES says.
 * `/metrics` is here so that it is never proxied nor answered with the web client: the public port
 * answers it 404; the series are on METRICS_PORT (service-kit's MetricsServer).
 */
export const GATEWAY_OWN_PREFIXES = ['/health', '/metrics', '/docs', '/docs-json', '/socket.io'] as const;

export interface Route {
  service: UpstreamService;
  target: string;
  /** The request target to forward: normalised path plus the original query. */
  url: string;
}

function ownedByGateway(path: string): boolean {
  return GATEWAY_OWN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The route of a request target (`req.url`), or undefined when the gateway answers it itself. */
export function routeFor(requestUrl: string | undefined, upstreams: UpstreamUrls): Route | undefined {
  // Origin-form only: `*`, absolute-form and authority-form targets are not REST calls.
  if (!requestUrl?.startsWith('/')) return undefined;
  let parsed: URL;
  try {
    // Concatenated, not resolved against a base: `//host/x` must stay a path, not become a host.
    parsed = new URL(`http://gateway.invalid${requestUrl}`);
  } catch {
    return undefined;
  }
  const path = parsed.pathname;
  if (ownedByGateway(path)) return undefined;
  const service = serviceForPath(path);
  if (service === undefined || service === 'gateway') return undefined;
  return { service, target: upstreams[service], url: `${path}${parsed.search}` };
}
