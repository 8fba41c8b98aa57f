// The client's state and everything that changes it: REST loads, the Socket.IO connection and its
// events, sends with their pending state, read markers, typing and presence. Components read it
// through useSyncExternalStore and call its actions; all I/O goes through Api and the socket.
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ChannelSummary,
  ClientToServerEvents,
  Message,
  Pin,
  PresenceStatus,
  SearchHit,
  ServerToClientEvents,
  SyncResult,
  User,
  Workspace,
  WorkspaceInvitation,
} from '@chat/contracts';
import { mentionedNames } from '../lib/markdown-lite';
import { searchPath } from '../lib/search';
import {
  addPending,
  applyStored,
  contiguousHead,
  EMPTY_TIMELINE,
  hasGapBefore,
  hasHole,
  mergeMessages,
  type PendingMessage,
  setPendingState,
  type Timeline,
} from '../lib/timeline';
import { type Api, ApiError, errorText } from './api';
import { type Session } from './session';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting';
export type Feature = 'edit' | 'delete' | 'reactions' | 'threads' | 'presence' | 'files' | 'users' | 'pins' | 'search';

export interface ThreadView {
  channelId: string;
  rootId: string;
  root: Message | null;
  replies: Message[];
  error: string | null;
}

export interface SearchView {
  query: string;
  /** Limited to this channel, or null for all of the user's channels. */
  channelId: string | null;
  /** null while the answer is awaited. */
  results: SearchHit[] | null;
  error: string | null;
}

export interface ChatState {
  connection: ConnectionState;
  me: User;
  workspaces: Workspace[];
  /** Pending invitations to other workspaces: accepted or declined by the user. */
  invitations: WorkspaceInvitation[];
  workspaceId: string | null;
  channels: ChannelSummary[];
  activeChannelId: string | null;
  timelines: Record<string, Timeline>;
  users: Record<string, User>;
  presence: Record<string, PresenceStatus>;
  /** channelId → userId → when the indicator expires (ms since epoch). */
  typing: Record<string, Record<string, number>>;
  unavailable: Partial<Record<Feature, true>>;
  notice: string | null;
  thread: ThreadView | null;
  /** channelId → its pins as last fetched (no socket push: refreshed on open and after own changes). */
  pins: Record<string, Pin[]>;
  pinsOpen: boolean;
  search: SearchView | null;
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const PAGE = 50;
const ACK_TIMEOUT_MS = 20_000;
const TYPING_EVERY_MS = 3_000;
const TYPING_SHOWN_MS = 6_000;
/** A sync that left a hole is made again after 250 ms, 500 ms, … up to 5 s apart, 10 times at most. */
const HOLE_REPAIR_FIRST_MS = 250;
const HOLE_REPAIR_MAX_MS = 5_000;
const HOLE_REPAIR_TRIES = 10;

export class ChatStore {
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private socket: ChatSocket | null = null;
  private everConnected = false;
  private lastTypingSent = new Map<string, number>();
  private readSent = new Map<string, number>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly unsubscribeSession: () => void;

  constructor(
    private readonly session: Session,
    readonly api: Api,
    me: User,
  ) {
    this.state = {
      connection: 'connecting',
      me,
      workspaces: [],
      invitations: [],
      workspaceId: null,
      channels: [],
      activeChannelId: null,
      timelines: {},
      users: { [me.id]: me },
      presence: {},
      typing: {},
      unavailable: {},
      notice: null,
      thread: null,
      pins: {},
      pinsOpen: false,
      search: null,
    };
    this.unsubscribeSession = session.onChange(() => this.scheduleRefresh());
  }

  // --- store plumbing -----------------------------------------------------------------------

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ChatState => this.state;

  private set(patch: Partial<ChatState> | ((state: ChatState) => Partial<ChatState>)): void {
    const next = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...next };
    for (const listener of this.listeners) listener();
  }

  private updateTimeline(channelId: string, change: (timeline: Timeline) => Timeline): void {
    this.set((state) => ({ timelines: { ...state.timelines, [channelId]: change(state.timelines[channelId] ?? EMPTY_TIMELINE) } }));
  }

  private updateChannel(channelId: string, change: (channel: ChannelSummary) => ChannelSummary): void {
    this.set((state) => ({ channels: state.channels.map((c) => (c.id === channelId ? change(c) : c)) }));
  }

  notify(notice: string | null): void {
    this.set({ notice });
  }

  // --- lifecycle ----------------------------------------------------------------------------

  async start(): Promise<void> {
    this.connect();
    this.scheduleRefresh();
    this.typingTimer = setInterval(() => this.expireTyping(), 1_000);
    document.addEventListener('visibilitychange', this.onVisibility);
    const { workspaces } = await this.api.get<{ workspaces: Workspace[] }>('/api/workspaces');
    const remembered = localStorage.getItem(`chat.workspace.${this.state.me.id}`);
    this.set({ workspaces });
    const first = workspaces.find((w) => w.id === remembered) ?? workspaces[0];
    void this.loadInvitations().catch(() => undefined);
    if (first) await this.selectWorkspace(first.id);
  }

  stop(): void {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    clearTimeout(this.refreshTimer);
    clearInterval(this.typingTimer);
    for (const repair of this.holeRepairs.values()) clearTimeout(repair.timer);
    this.holeRepairs.clear();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.unsubscribeSession();
  }

  /** A hidden tab is away, a visible one active (refusals ignored while presence is not served). */
  private readonly onVisibility = (): void => {
    const event = document.visibilityState === 'visible' ? 'presence:active' : 'presence:away';
    this.request(event, {}).catch(() => undefined);
  };

  private connect(): void {
    const socket: ChatSocket = io({
      // A function, so every (re)connection presents the freshest token.
      auth: (cb) => {
        this.session.accessToken().then(
          (token) => cb({ token }),
          () => cb({ token: '' }),
        );
      },
      transports: ['websocket', 'polling'],
    });
    this.socket = socket;
    socket.on('connect', () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.set({ connection: 'online' });
      if (reconnected) void this.resync();
    });
    socket.on('disconnect', () => {
      if (this.socket === socket) this.set({ connection: 'reconnecting' });
    });
    socket.on('connect_error', (error) => {
      this.set({ connection: this.everConnected ? 'reconnecting' : 'connecting' });
      // A refused handshake (middleware error) is not retried by socket.io itself.
      if (error.message === 'unauthorized') {
        this.session.refresh().then(
          () => socket.connect(),
          () => undefined,
        );
      } else if (!socket.active) {
        setTimeout(() => socket.connect(), 2_000);
      }
    });
    // The server is about to disconnect this socket: its token expired without auth:refresh, or its
    // session was signed out. A refresh either gives a token to reconnect with or ends the session.
    socket.on('session:closed', () => {
      this.session.refresh().then(
        () => socket.connect(),
        () => undefined,
      );
    });
    socket.on('message:new', (message) => this.onMessage(message));
    socket.on('message:updated', (message) => this.onUpdated(message));
    socket.on('typing', ({ channelId, userId }) => {
      if (userId === this.state.me.id) return;
      void this.ensureUsers([userId]);
      this.set((state) => ({
        typing: { ...state.typing, [channelId]: { ...state.typing[channelId], [userId]: Date.now() + TYPING_SHOWN_MS } },
      }));
    });
    socket.on('presence', ({ userId, status }) => this.set((state) => ({ presence: { ...state.presence, [userId]: status } })));
    socket.on('read', ({ channelId, seq }) => {
      this.updateChannel(channelId, (c) => (seq > c.readSeq ? { ...c, readSeq: seq, unread: Math.max(0, c.lastSeq - seq), mentions: seq >= c.lastSeq ? 0 : c.mentions } : c));
    });
    socket.on('channel:joined', ({ channel }) => {
      if (channel.workspaceId === this.state.workspaceId) void this.loadChannels();
      else if (!this.state.workspaces.some((w) => w.id === channel.workspaceId)) void this.onInvited();
    });
    socket.on('channel:left', ({ channel }) => {
      this.set((state) => ({
        channels: state.channels.filter((c) => c.id !== channel.id || !c.private),
        activeChannelId: state.activeChannelId === channel.id ? null : state.activeChannelId,
      }));
      if (channel.workspaceId === this.state.workspaceId) void this.loadChannels();
    });
  }

  /** Keeps the socket's token fresh (auth:refresh) shortly before the access token expires. */
  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    const seconds = this.session.secondsLeft();
    if (seconds <= 0 && !this.session.value) return;
    const delay = Math.max(5_000, (seconds - 60) * 1_000);
    this.refreshTimer = setTimeout(() => {
      this.session.refresh().then(
        (token) => this.request('auth:refresh', { token }).catch(() => undefined),
        () => undefined,
      );
    }, delay);
  }

  /** After a reconnect: channel list (unread counts) and every loaded timeline from its head. */
  private async resync(): Promise<void> {
    await this.loadChannels().catch(() => undefined);
    const cursors = Object.entries(this.state.timelines)
      .filter(([, t]) => t.loaded)
      .map(([channelId, t]) => ({ channelId, afterSeq: contiguousHead(t.messages) }));
    if (cursors.length > 0) await this.sync(cursors);
    // Sends that failed while offline go again, same clientMsgId (idempotent on the server).
    for (const timeline of Object.values(this.state.timelines)) {
      for (const pending of timeline.pending) if (pending.state === 'failed') void this.retry(pending.channelId, pending.clientMsgId);
    }
  }

  private async sync(cursors: { channelId: string; afterSeq: number }[]): Promise<void> {
    let current = cursors;
    for (let round = 0; round < 20 && current.length > 0; round++) {
      let result: SyncResult;
      try {
        result = await this.request('sync', { channels: current.slice(0, 100), limit: 500 });
      } catch {
        break;
      }
      const byChannel = new Map<string, Message[]>();
      for (const message of result.messages) byChannel.set(message.channelId, [...(byChannel.get(message.channelId) ?? []), message]);
      for (const [channelId, messages] of byChannel) this.updateTimeline(channelId, (t) => applyStored(t, messages));
      void this.ensureUsers(result.messages.map((m) => m.senderId));
      if (!result.hasMore) break;
      current = current.map((c) => ({ channelId: c.channelId, afterSeq: contiguousHead(this.state.timelines[c.channelId]?.messages ?? []) }));
    }
    this.repairHoles(cursors.map((c) => c.channelId));
  }

  /** Per channel with a hole after a sync: the pending retry and how many were made. */
  private readonly holeRepairs = new Map<string, { timer?: ReturnType<typeof setTimeout>; tries: number }>();

  /**
   * Syncs again, after a growing delay, every channel the last sync left with a hole (the store is
   * a moment behind the live stream); gives up after HOLE_REPAIR_TRIES, the next gap or reconnect
   * tries again.
   */
  private repairHoles(channelIds: readonly string[]): void {
    for (const channelId of channelIds) {
      const repair = this.holeRepairs.get(channelId) ?? { tries: 0 };
      if (!hasHole(this.state.timelines[channelId]) || repair.tries >= HOLE_REPAIR_TRIES) {
        clearTimeout(repair.timer);
        this.holeRepairs.delete(channelId);
        continue;
      }
      if (repair.timer !== undefined) continue;
      repair.tries++;
      repair.timer = setTimeout(() => {
        repair.timer = undefined;
        void this.sync([{ channelId, afterSeq: contiguousHead(this.state.timelines[channelId]?.messages ?? []) }]);
      }, Math.min(HOLE_REPAIR_FIRST_MS * 2 ** (repair.tries - 1), HOLE_REPAIR_MAX_MS));
      this.holeRepairs.set(channelId, repair);
    }
  }

  // --- incoming -----------------------------------------------------------------------------

  private onMessage(message: Message): void {
    const timeline = this.state.timelines[message.channelId];
    if (timeline?.loaded) {
      if (hasGapBefore(timeline, message)) {
        this.updateTimeline(message.channelId, (t) => applyStored(t, [message]));
        void this.sync([{ channelId: message.channelId, afterSeq: contiguousHead(timeline.messages) }]);
      } else {
        this.updateTimeline(message.channelId, (t) => applyStored(t, [message]));
      }
    }
    void this.ensureUsers([message.senderId]);
    this.onThreadMessage(message);
    const channel = this.state.channels.find((c) => c.id === message.channelId);
    if (!channel) {
      void this.loadChannels().catch(() => undefined);
      return;
    }
    const mine = message.senderId === this.state.me.id;
    const open = this.state.activeChannelId === message.channelId;
    this.updateChannel(message.channelId, (c) => ({
      ...c,
      lastSeq: Math.max(c.lastSeq, message.seq),
      ...(mine || open || message.seq <= c.readSeq ? {} : { unread: c.unread + 1, mentions: c.mentions + (this.mentionsMe(message) ? 1 : 0) }),
      ...(mine ? { readSeq: Math.max(c.readSeq, message.seq), unread: 0, mentions: 0 } : {}),
    }));
    // The sender stopped typing once the message is there.
    const typing = this.state.typing[message.channelId];
    if (typing?.[message.senderId]) {
      const { [message.senderId]: _, ...rest } = typing;
      this.set((state) => ({ typing: { ...state.typing, [message.channelId]: rest } }));
    }
  }

  private onUpdated(message: Message): void {
    if (this.state.timelines[message.channelId]?.loaded) this.updateTimeline(message.channelId, (t) => ({ ...t, messages: mergeMessages(t.messages, [message]) }));
    this.onThreadMessage(message);
  }

  private onThreadMessage(message: Message): void {
    const thread = this.state.thread;
    if (!thread || thread.channelId !== message.channelId) return;
    if (message.id === thread.rootId) this.set({ thread: { ...thread, root: message } });
    else if (message.threadId === thread.rootId) this.set({ thread: { ...thread, replies: mergeMessages(thread.replies, [message]) } });
  }

  mentionsMe(message: Message): boolean {
    if (message.mentions) return message.mentions.includes(this.state.me.id) || message.mentions.includes('channel');
    return mentionedNames(message.text).includes(this.state.me.username.toLowerCase());
  }

  private expireTyping(): void {
    const now = Date.now();
    let changed = false;
    const typing: ChatState['typing'] = {};
    for (const [channelId, users] of Object.entries(this.state.typing)) {
      const live = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
      if (Object.keys(live).length !== Object.keys(users).length) changed = true;
      typing[channelId] = live;
    }
    if (changed) this.set({ typing });
  }

  // --- workspaces and channels --------------------------------------------------------------

  async selectWorkspace(workspaceId: string): Promise<void> {
    localStorage.setItem(`chat.workspace.${this.state.me.id}`, workspaceId);
    this.set({ workspaceId, channels: [], activeChannelId: null, thread: null });
    await this.loadChannels();
    const general = this.state.channels.find((c) => c.member && c.kind !== 'dm');
    if (!this.state.activeChannelId && general) await this.openChannel(general.id);
  }

  async loadChannels(): Promise<void> {
    const workspaceId = this.state.workspaceId;
    if (!workspaceId) return;
    const { channels } = await this.api.get<{ channels: ChannelSummary[] }>(`/api/workspaces/${workspaceId}/channels`);
    if (this.state.workspaceId !== workspaceId) return;
    const active = this.state.activeChannelId;
    this.set({ channels: channels.map((c) => (c.id === active ? { ...c, unread: 0, mentions: 0 } : c)) });
    const people = channels.flatMap((c) => c.memberIds ?? []);
    await this.ensureUsers(people);
    await this.loadPresence(people);
  }

  async createWorkspace(name: string): Promise<void> {
    const { workspace } = await this.api.post<{ workspace: Workspace }>('/api/workspaces', { name });
    this.set((state) => ({ workspaces: [...state.workspaces, workspace] }));
    await this.selectWorkspace(workspace.id);
  }

  async reloadWorkspaces(): Promise<void> {
    const { workspaces } = await this.api.get<{ workspaces: Workspace[] }>('/api/workspaces');
    this.set({ workspaces });
  }

  /** Joined to a channel of a workspace not listed yet: someone invited us. */
  private async onInvited(): Promise<void> {
    await this.reloadWorkspaces().catch(() => undefined);
    const first = this.state.workspaces[0];
    if (!this.state.workspaceId && first) await this.selectWorkspace(first.id);
  }

  /** Invites a user by username; they become a member only when they accept. */
  async invite(username: string): Promise<void> {
    await this.api.post(`/api/workspaces/${this.requireWorkspace()}/invitations`, { username });
  }

  async loadInvitations(): Promise<void> {
    const { invitations } = await this.api.get<{ invitations: WorkspaceInvitation[] }>('/api/me/invitations');
    this.set({ invitations });
  }

  async acceptInvitation(workspaceId: string): Promise<void> {
    await this.api.post(`/api/me/invitations/${workspaceId}/accept`, {});
    this.set((state) => ({ invitations: state.invitations.filter((i) => i.workspaceId !== workspaceId) }));
    await this.reloadWorkspaces();
    await this.selectWorkspace(workspaceId);
  }

  async declineInvitation(workspaceId: string): Promise<void> {
    await this.api.post(`/api/me/invitations/${workspaceId}/decline`, {});
    this.set((state) => ({ invitations: state.invitations.filter((i) => i.workspaceId !== workspaceId) }));
  }

  /** Leaves the current workspace (its channels too) and switches to another one, if any. */
  async leaveWorkspace(): Promise<void> {
    const workspaceId = this.requireWorkspace();
    await this.api.delete(`/api/workspaces/${workspaceId}/members/me`);
    const workspaces = this.state.workspaces.filter((w) => w.id !== workspaceId);
    this.set({ workspaces, workspaceId: null, channels: [], activeChannelId: null });
    const next = workspaces[0];
    if (next) await this.selectWorkspace(next.id);
  }

  async createChannel(name: string, isPrivate: boolean): Promise<void> {
    const { channel } = await this.api.post<{ channel: { id: string } }>(`/api/workspaces/${this.requireWorkspace()}/channels`, {
      name,
      private: isPrivate,
    });
    await this.loadChannels();
    await this.openChannel(channel.id);
  }

  async joinChannel(channelId: string): Promise<void> {
    await this.api.post(`/api/channels/${channelId}/members`, { userId: this.state.me.id });
    await this.loadChannels();
    await this.openChannel(channelId);
  }

  async leaveChannel(channelId: string): Promise<void> {
    await this.api.delete(`/api/channels/${channelId}/members/me`);
    this.set({ activeChannelId: null });
    await this.loadChannels();
  }

  /** Opens the DM (or group DM) with the named users. */
  async startDm(usernames: string[]): Promise<void> {
    const users = await Promise.all(
      usernames.map(async (username) => {
        const { users: found } = await this.api.get<{ users: User[] }>(`/api/users?username=${encodeURIComponent(username)}`);
        const user = found[0];
        if (!user) throw new ApiError('not_found', `no user named ${username}`, 404);
        return user;
      }),
    );
    this.rememberUsers(users);
    const { channel } = await this.api.post<{ channel: { id: string } }>(`/api/workspaces/${this.requireWorkspace()}/dms`, {
      userIds: users.map((u) => u.id),
    });
    await this.loadChannels();
    await this.openChannel(channel.id);
  }

  private requireWorkspace(): string {
    if (!this.state.workspaceId) throw new Error('no workspace selected');
    return this.state.workspaceId;
  }

  // --- users and presence -------------------------------------------------------------------

  private rememberUsers(users: User[]): void {
    if (users.length > 0) this.set((state) => ({ users: { ...state.users, ...Object.fromEntries(users.map((u) => [u.id, u])) } }));
  }

  private readonly asked = new Set<string>();

  async ensureUsers(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.state.users[id] && !this.asked.has(id));
    if (missing.length === 0 || this.state.unavailable.users) return;
    missing.forEach((id) => this.asked.add(id));
    try {
      const { users } = await this.api.get<{ users: User[] }>(`/api/users?ids=${missing.slice(0, 200).join(',')}`);
      this.rememberUsers(users);
      void this.loadPresence(users.map((u) => u.id));
    } catch (error) {
      missing.forEach((id) => this.asked.delete(id));
      if (error instanceof ApiError && (error.code === 'not_found' || error.code === 'unavailable')) this.markUnavailable('users');
    }
  }

  private async loadPresence(ids: string[]): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0 || this.state.unavailable.presence) return;
    try {
      const { presence } = await this.api.get<{ presence: { userId: string; status: PresenceStatus }[] }>(`/api/presence?userIds=${unique.slice(0, 500).join(',')}`);
      this.set((state) => ({ presence: { ...state.presence, ...Object.fromEntries(presence.map((p) => [p.userId, p.status])) } }));
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'not_found' || error.code === 'unavailable')) this.markUnavailable('presence');
    }
  }

  private markUnavailable(feature: Feature): void {
    this.set((state) => ({ unavailable: { ...state.unavailable, [feature]: true } }));
  }

  // --- messages -----------------------------------------------------------------------------

  async openChannel(channelId: string): Promise<void> {
    this.set({ activeChannelId: channelId, thread: null });
    this.updateChannel(channelId, (c) => ({ ...c, unread: 0, mentions: 0 }));
    void this.loadPins(channelId, true);
    const timeline = this.state.timelines[channelId];
    if (timeline?.loaded) {
      const head = contiguousHead(timeline.messages);
      const channel = this.state.channels.find((c) => c.id === channelId);
      if (channel && channel.lastSeq > head) await this.sync([{ channelId, afterSeq: head }]);
      return;
    }
    const page = await this.api.get<{ messages: Message[]; hasMore: boolean }>(`/api/channels/${channelId}/messages?limit=${PAGE}`);
    this.updateTimeline(channelId, (t) => ({ ...applyStored(t, page.messages), hasMoreBefore: page.hasMore, loaded: true }));
    void this.ensureUsers(page.messages.map((m) => m.senderId));
  }

  /** The page before the oldest held message; false when there is no more. */
  async loadOlder(channelId: string): Promise<boolean> {
    const timeline = this.state.timelines[channelId];
    const oldest = timeline?.messages[0];
    if (!timeline?.hasMoreBefore || !oldest) return false;
    const page = await this.api.get<{ messages: Message[]; hasMore: boolean }>(`/api/channels/${channelId}/messages?before=${oldest.seq}&limit=${PAGE}`);
    this.updateTimeline(channelId, (t) => ({ ...applyStored(t, page.messages), hasMoreBefore: page.hasMore }));
    void this.ensureUsers(page.messages.map((m) => m.senderId));
    return page.hasMore;
  }

  async send(channelId: string, text: string, extra: { threadId?: string; fileIds?: string[] } = {}): Promise<void> {
    const pending: PendingMessage = {
      clientMsgId: newId(),
      channelId,
      text,
      createdAt: new Date().toISOString(),
      state: 'sending',
      ...extra,
    };
    this.updateTimeline(channelId, (t) => addPending(t, pending));
    await this.inOrder(channelId, () => this.deliver(pending));
  }

  private readonly sendChains = new Map<string, Promise<void>>();

  /**
   * One send in flight per channel: the gateway may publish two concurrent sends of one socket in
   * either order (its per-send checks are asynchronous), and people expect their own messages to
   * keep the order they typed them in.
   */
  private inOrder(channelId: string, work: () => Promise<void>): Promise<void> {
    const next = (this.sendChains.get(channelId) ?? Promise.resolve()).then(work, work);
    this.sendChains.set(channelId, next);
    return next;
  }

  /** Sends a failed message again with the same clientMsgId, so it is stored at most once. */
  async retry(channelId: string, clientMsgId: string): Promise<void> {
    const pending = this.state.timelines[channelId]?.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return;
    this.updateTimeline(channelId, (t) => setPendingState(t, clientMsgId, 'sending'));
    await this.inOrder(channelId, () => this.deliver(pending));
  }

  private async deliver(pending: PendingMessage): Promise<void> {
    try {
      const { message } = await this.request('message:send', {
        channelId: pending.channelId,
        clientMsgId: pending.clientMsgId,
        text: pending.text,
        ...(pending.threadId ? { threadId: pending.threadId } : {}),
        ...(pending.fileIds?.length ? { fileIds: pending.fileIds } : {}),
      });
      this.onMessage(message);
      if (!this.state.timelines[pending.channelId]?.loaded) this.updateTimeline(pending.channelId, (t) => applyStored(t, [message]));
    } catch (error) {
      this.updateTimeline(pending.channelId, (t) => setPendingState(t, pending.clientMsgId, 'failed', error instanceof Error ? error.message : 'failed'));
    }
  }

  /** Read marker up to `seq`, sent once per new high-water mark. */
  markRead(channelId: string, seq: number): void {
    if ((this.readSent.get(channelId) ?? 0) >= seq) return;
    const channel = this.state.channels.find((c) => c.id === channelId);
    if (channel && channel.readSeq >= seq) return;
    this.readSent.set(channelId, seq);
    this.updateChannel(channelId, (c) => ({ ...c, readSeq: Math.max(c.readSeq, seq), unread: Math.max(0, c.lastSeq - Math.max(c.readSeq, seq)), mentions: seq >= c.lastSeq ? 0 : c.mentions }));
    this.request('read', { channelId, seq }).catch(() => this.readSent.delete(channelId));
  }

  typing(channelId: string): void {
    const now = Date.now();
    if (now - (this.lastTypingSent.get(channelId) ?? 0) < TYPING_EVERY_MS) return;
    this.lastTypingSent.set(channelId, now);
    this.socket?.emit('typing', { channelId });
  }

  async edit(message: Message, text: string): Promise<void> {
    const { message: updated } = await this.feature('edit', this.request('message:edit', { channelId: message.channelId, messageId: message.id, text }));
    this.onUpdated(updated);
  }

  async remove(message: Message): Promise<void> {
    await this.feature('delete', this.request('message:delete', { channelId: message.channelId, messageId: message.id }));
  }

  async toggleReaction(message: Message, emoji: string): Promise<void> {
    const mine = message.reactions?.find((r) => r.emoji === emoji)?.userIds.includes(this.state.me.id) ?? false;
    await this.feature('reactions', this.request(mine ? 'reaction:remove' : 'reaction:add', { channelId: message.channelId, messageId: message.id, emoji }));
  }

  async openThread(message: Message): Promise<void> {
    this.set({ pinsOpen: false, search: null, thread: { channelId: message.channelId, rootId: message.id, root: message, replies: [], error: null } });
    try {
      const page = await this.api.get<{ root: Message; replies: Message[] }>(`/api/channels/${message.channelId}/messages/${message.id}/thread?limit=200`);
      void this.ensureUsers(page.replies.map((m) => m.senderId));
      this.set((state) => (state.thread?.rootId === message.id ? { thread: { ...state.thread, root: page.root, replies: mergeMessages(state.thread.replies, page.replies) } } : {}));
    } catch (error) {
      const text = error instanceof ApiError && (error.code === 'not_found' || error.code === 'unavailable') ? 'Threads are not available on this server yet.' : String(error);
      this.set((state) => (state.thread?.rootId === message.id ? { thread: { ...state.thread, error: text } } : {}));
    }
  }

  closeThread(): void {
    this.set({ thread: null });
  }

  // --- pins ---------------------------------------------------------------------------------

  isPinned(message: Message): boolean {
    return this.state.pins[message.channelId]?.some((p) => p.message.id === message.id) ?? false;
  }

  /** Fetches the channel's pins; `quiet` (on channel open) only notes an unserved feature. */
  async loadPins(channelId: string, quiet = false): Promise<void> {
    if (this.state.unavailable.pins) return;
    try {
      const { pins } = await this.api.get<{ pins: Pin[] }>(`/api/channels/${channelId}/pins`);
      this.set((state) => ({ pins: { ...state.pins, [channelId]: pins } }));
      void this.ensureUsers(pins.flatMap((p) => [p.message.senderId, p.pinnedBy]));
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'not_found' || error.code === 'unavailable')) {
        this.markUnavailable('pins');
        this.set({ pinsOpen: false });
        if (!quiet) this.notify(`${FEATURE_NAMES.pins} is not available on this server yet.`);
      } else if (!quiet) {
        this.notify(errorText(error));
      }
    }
  }

  openPins(): void {
    const channelId = this.state.activeChannelId;
    if (!channelId) return;
    this.set({ pinsOpen: true, thread: null, search: null });
    void this.loadPins(channelId);
  }

  closePins(): void {
    this.set({ pinsOpen: false });
  }

  async togglePin(message: Message): Promise<void> {
    const path = `/api/channels/${message.channelId}/pins`;
    await this.feature('pins', this.isPinned(message) ? this.api.delete(`${path}/${message.id}`) : this.api.post(path, { messageId: message.id }));
    await this.loadPins(message.channelId);
  }

  // --- search -------------------------------------------------------------------------------

  /** Searches the user's channels (or only `channelId`); the answer lands in `state.search`. */
  async search(query: string, channelId: string | null = null): Promise<void> {
    const path = searchPath({ q: query, ...(channelId ? { channelId } : {}) });
    if (!path) {
      this.set({ search: { query, channelId, results: [], error: 'Type one or more words (at most 200 characters).' } });
      return;
    }
    const view: SearchView = { query, channelId, results: null, error: null };
    this.set({ search: view, thread: null, pinsOpen: false });
    const current = (): boolean => this.state.search === view;
    try {
      const { results } = await this.api.get<{ results: SearchHit[] }>(path);
      void this.ensureUsers(results.map((r) => r.message.senderId));
      if (current()) this.set({ search: { ...view, results } });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'unavailable' || (error.code === 'not_found' && !channelId))) {
        this.markUnavailable('search');
        this.notify(`${FEATURE_NAMES.search} is not available on this server yet.`);
        if (current()) this.set({ search: null });
      } else if (current()) {
        this.set({ search: { ...view, results: [], error: errorText(error) } });
      }
    }
  }

  closeSearch(): void {
    this.set({ search: null });
  }

  /** Opens the channel a search result is in. */
  async openResult(hit: SearchHit): Promise<void> {
    this.set({ search: null });
    await this.openChannel(hit.message.channelId);
  }

  /** Uploads a file (create → PUT to the signed URL → complete) and returns its id. */
  async upload(file: File): Promise<string> {
    try {
      const created = await this.api.post<{ file: { id: string }; upload: { url: string; method: string; headers?: Record<string, string> } }>('/api/files', {
        name: file.name,
        contentType: file.type || 'application/octet-stream',
        size: file.size,
      });
      const put = await fetch(created.upload.url, { method: created.upload.method, headers: created.upload.headers ?? {}, body: file });
      if (!put.ok) throw new ApiError('unavailable', `upload failed (${put.status})`, put.status);
      await this.api.post(`/api/files/${created.file.id}/complete`);
      return created.file.id;
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'not_found' || error.code === 'unavailable')) this.markUnavailable('files');
      throw error;
    }
  }

  private async feature<T>(feature: Feature, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unavailable') {
        this.markUnavailable(feature);
        this.notify(`${FEATURE_NAMES[feature]} is not available on this server yet.`);
      } else {
        this.notify(error instanceof Error ? error.message : String(error));
      }
      throw error;
    }
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session.value?.refreshToken;
    this.stop();
    if (refreshToken) await this.api.logout(refreshToken).catch(() => undefined);
    this.session.clear();
  }

  // --- socket requests ----------------------------------------------------------------------

  /** Emits a client event and resolves with its acknowledgement's result (ApiError on refusal). */
  request<E extends 'message:send' | 'message:edit'>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<{ message: Message }>;
  request(event: 'sync', payload: Parameters<ClientToServerEvents['sync']>[0]): Promise<SyncResult>;
  request(event: 'message:delete' | 'reaction:add' | 'reaction:remove' | 'read' | 'auth:refresh' | 'presence:away' | 'presence:active', payload: object): Promise<object>;
  request(event: keyof ClientToServerEvents, payload: object): Promise<unknown> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new ApiError('unavailable', 'not connected', 0));
    return new Promise((resolve, reject) => {
      const emitter = socket.timeout(ACK_TIMEOUT_MS) as unknown as { emit(event: string, payload: object, ack: (error: Error | null, answer: Ack<object>) => void): void };
      emitter.emit(event, payload, (error, answer) => {
        if (error) reject(new ApiError('unavailable', 'no answer from the server', 0));
        else if (answer.ok) resolve(answer);
        else reject(new ApiError(answer.error.code, answer.error.message, 0));
      });
    });
  }
}

const FEATURE_NAMES: Record<Feature, string> = {
  edit: 'Editing',
  delete: 'Deleting',
  reactions: 'Reactions',
  threads: 'Threads',
  presence: 'Presence',
  files: 'File upload',
  users: 'User lookup',
  pins: 'Pinning',
  search: 'Search',
};

export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6]) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8]) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
