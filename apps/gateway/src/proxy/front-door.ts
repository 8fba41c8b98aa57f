// Puts the REST proxy in front of the Express application on the one HTTP server. It has to sit
// before Express, not inside it: bootstrapService registers the JSON body parser before the
// `configure` hook runs, and a proxy mounted after it would see (and buffer) parsed bodies.
// Requests no service owns (and /health, /docs, /socket.io; /metrics for a 404) go on to Express/Nest,
// whose unknown routes answer 404 `not_found`.
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FrontDoorProxy {
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function installFrontDoor(server: Server, proxy: FrontDoorProxy): void {
  const downstream = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (proxy.handle(req, res)) return;
    for (const listener of downstream) listener.call(server, req, res);
  });
}
