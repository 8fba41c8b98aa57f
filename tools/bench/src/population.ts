// Builds the population a run needs through the real REST API (PROTOCOL.md): accounts registered
// with auth, spread over workspaces of W users as real teams are (each user in one workspace, so a
// connect is a presence broadcast to W co-members, not to everyone), C public channels shared out
// among the workspaces and the memberships drawn from each channel's own workspace, U·k/C members
// per channel. An admin account (not one of the U users, and never connected) creates
// everything, so no load socket sits in every channel. For the bare relay the same shape is made
// of made-up ids.
import { randomUUID } from 'node:crypto';
import { http, type HttpAnswer } from '@chat/testing';
import { type SocketSpec } from './load/protocol';

export interface Population {
  admin?: { id: string; token: string };
  workspaceId?: string;
  workspaceIds?: string[];
  users: { id: string; token: string }[];
  channels: string[];
  /** Channel indexes of each user. */
  memberships: number[][];
}


/**
 * Calls until the answer is not `unavailable` / `rate_limited` (a loaded machine makes the gateway's
 * proxy time out now and then), at most 6 times, and expects `status`. `alreadyDone` names a status
 * that means an earlier attempt went through after all (its answer lost), with what to do then.
 */
async function expect<T>(what: string, status: number, attempt: () => Promise<HttpAnswer<T>>, alreadyDone?: { status: number; then: () => Promise<T> }): Promise<T> {
  let result: HttpAnswer<T> | undefined;
  for (let i = 0; i < 6; i++) {
    result = await attempt().catch((error: unknown) => ({ status: 0, body: String(error) as T, headers: new Headers() }));
    if (i > 0 && alreadyDone && result.status === alreadyDone.status) return alreadyDone.then();
    if (![0, 429, 502, 503, 504].includes(result.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** i));
  }
  if (result?.status !== status) throw new Error(`${what}: expected ${status}, got ${result?.status} ${JSON.stringify(result?.body).slice(0, 300)}`);
  return result.body;
}

/** Runs `task` for 0..count-1 with at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export interface Shape {
  users: number;
  channels: number;
  perUser: number;
  /** Users per workspace (the last one may hold fewer). */
  workspaceSize: number;
}

/** How the population is laid out: the workspace of each user and of each channel, and memberships. */
export interface Layout {
  workspaces: number;
  /** Workspace index of each user. */
  userWorkspace: number[];
  /** Workspace index of each channel. */
  channelWorkspace: number[];
  /** Channel indexes of each user, all in the user's workspace. */
  memberships: number[][];
}

/**
 * Users 0…W-1 form workspace 0, W…2W-1 workspace 1, and so on; channels are shared out among
 * the workspaces in proportion (consecutive ranges, each workspace at least one); user u's k
 * channels are consecutive among its workspace's channels, starting at its place in the
 * workspace times k (wrapping), which spreads the members evenly.
 */
export function layout(shape: Shape): Layout {
  const workspaces = Math.ceil(shape.users / Math.max(1, shape.workspaceSize));
  if (shape.channels < workspaces) throw new Error(`${workspaces} workspaces of ${shape.workspaceSize} users need at least as many channels (got ${shape.channels})`);
  const first = (w: number): number => Math.floor((w * shape.channels) / workspaces);
  const channelWorkspace = Array.from({ length: shape.channels }, () => 0);
  for (let w = 0; w < workspaces; w++) for (let c = first(w); c < first(w + 1); c++) channelWorkspace[c] = w;
  const userWorkspace = Array.from({ length: shape.users }, (_, u) => Math.floor(u / shape.workspaceSize));
  const memberships = userWorkspace.map((w, u) => {
    const from = first(w);
    const count = first(w + 1) - from;
    const place = u - w * shape.workspaceSize;
    return Array.from({ length: Math.min(shape.perUser, count) }, (_, j) => from + ((place * shape.perUser + j) % count));
  });
  return { workspaces, userWorkspace, channelWorkspace, memberships };
}

/** A membership add retried after its first answer was lost finds the member there already. */
const ALREADY_MEMBER = { status: 409, then: () => Promise.resolve(undefined) };

type Session = { user: { id: string }; accessToken: string };

export async function register(origin: string, username: string): Promise<{ id: string; token: string }> {
  const body = { username, password: 'bench password 123456' };
  const session = await expect<Session>(`register ${username}`, 201, () => http(origin, 'POST', '/auth/register', { body }), {
    status: 409,
    then: () => expect<Session>(`log in ${username}`, 200, () => http(origin, 'POST', '/auth/login', { body })),
  });
  return { id: session.user.id, token: session.accessToken };
}

export async function buildPopulation(origin: string, shape: Shape, log: (line: string) => void, concurrency = 8): Promise<Population> {
  const plan = layout(shape);
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const admin = await register(origin, `${prefix}admin`);
  const users: { id: string; token: string }[] = new Array<{ id: string; token: string }>(shape.users);
  let started = Date.now();
  await pool(shape.users, concurrency, async (i) => {
    users[i] = await register(origin, `${prefix}u${i}`);
  });
  log(`registered ${shape.users} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  started = Date.now();
  const workspaceIds: string[] = new Array<string>(plan.workspaces);
  await pool(plan.workspaces, concurrency, async (w) => {
    const { workspace } = await expect<{ workspace: { id: string } }>('create workspace', 201, () => http(origin, 'POST', '/api/workspaces', { token: admin.token, body: { name: `${prefix}-ws${w}` } }));
    workspaceIds[w] = workspace.id;
  });
  await pool(shape.users, concurrency, async (i) => {
    const workspaceId = workspaceIds[plan.userWorkspace[i] ?? 0];
    const user = users[i];
    if (!user) return;
    // An invitation the user accepts (the admin, already a member, is answered 409).
    const invited = await expect<unknown>('invite to the workspace', 201, () => http(origin, 'POST', `/api/workspaces/${workspaceId}/members`, { token: admin.token, body: { userId: user.id } }), ALREADY_MEMBER);
    if (invited !== undefined) await expect('accept the invitation', 200, () => http(origin, 'POST', `/api/me/invitations/${workspaceId}/accept`, { token: user.token }));
  });
  const channels: string[] = new Array<string>(shape.channels);
  await pool(shape.channels, concurrency, async (c) => {
    const workspaceId = workspaceIds[plan.channelWorkspace[c] ?? 0];
    const { channel } = await expect<{ channel: { id: string } }>('create channel', 201, () => http(origin, 'POST', `/api/workspaces/${workspaceId}/channels`, { token: admin.token, body: { name: `${prefix}-c${c}` } }));
    channels[c] = channel.id;
  });
  const adds = plan.memberships.flatMap((list, u) => list.map((c) => ({ u, c })));
  await pool(adds.length, concurrency, async (i) => {
    const add = adds[i];
    if (!add) return;
    await expect('add channel member', 201, () => http(origin, 'POST', `/api/channels/${channels[add.c]}/members`, { token: admin.token, body: { userId: users[add.u]?.id } }), ALREADY_MEMBER);
  });
  log(`built ${plan.workspaces} workspaces of ≤ ${shape.workspaceSize} users, ${shape.channels} channels, ${adds.length} memberships in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { admin, workspaceIds, users, channels, memberships: plan.memberships };
}

/** The same shape for the bare relay: made-up ids, any token. */
export function relayPopulation(shape: Shape): Population {
  return {
    users: Array.from({ length: shape.users }, () => ({ id: randomUUID(), token: 'relay' })),
    channels: Array.from({ length: shape.channels }, () => randomUUID()),
    memberships: layout(shape).memberships,
  };
}
export function socketSpecs(population: Population): SocketSpec[] {
  return population.users.map((user, u) => ({
    userId: user.id,
    token: user.token,
    channels: (population.memberships[u] ?? []).map((c) => population.channels[c] ?? ''),
  }));
}
