// The built web client on the one origin (WEB_ROOT, set in the container images): every GET or
// HEAD that no service and no gateway route owns gets a file of the client, or its index.html
// (client-side routing). Without WEB_ROOT the gateway serves no files (`npm start` has its own
// front door that does).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { serveStaticFile } from '@chat/service-kit';
import { type FrontDoorProxy } from './front-door';

/** Paths the gateway's own Nest/Socket.IO routes answer. */
const GATEWAY_OWNED = /^\/(socket\.io|health|metrics|docs|docs-json)(\/|\?|$)/;

export class WebClient implements FrontDoorProxy {
  constructor(private readonly root: string) {}

  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (GATEWAY_OWNED.test(req.url ?? '/')) return false;
    serveStaticFile(this.root, req, res);
    return true;
  }
}

/** The REST proxy first, then the web client's files. */
export function chainFrontDoors(...doors: FrontDoorProxy[]): FrontDoorProxy {
  return { handle: (req, res) => doors.some((door) => door.handle(req, res)) };
}
