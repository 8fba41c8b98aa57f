// In-memory fakes of messaging's I/O adapters (repositories, publisher, clock, ids) for unit
// specs, with the semantics the services rely on: IF NOT EXISTS claims, monotonic hints, clustering
// order. Each is structurally its adapter's public surface; `wire` builds the services on them.
import {
  type Channel,
  type CommandReply,
  type Message,
  type ReadMarkerMoved,
  type ReplyTo,
  type User,
  type Workspace,
  type WorkspaceRole,
} from '@chat/contracts';
import { ChannelAccess } from '../channels/channel-access.service';
import { MemberCache } from '../channels/member-cache';
import { type ChannelMembersRepository, type UserChannel } from '../channels/channel-members.repository';
import { ChannelMembershipService } from '../channels/channel-membership.service';
import { type ChannelsRepository, type KeyClaim } from '../channels/channels.repository';
import { ChannelsService } from '../channels/channels.service';
import { type Clock } from '../common/clock';
import { type CommandResult, type EventsPublisher } from '../common/events.publisher';
import { type IdGenerator } from '../common/id-generator';
import { ChannelCommandService } from '../messages/channel-command.service';
import { ChannelHeads } from '../messages/channel-heads';
import { type ChannelHeadsRepository } from '../messages/channel-heads.repository';
import { HistoryService } from '../messages/history.service';
import { MessageBuckets } from '../messages/message-buckets';
import { type MessagePartition, type MessagesRepository } from '../messages/messages.repository';
import { type AttachableFilesRepository } from '../files/attachable-files.repository';
import { FakeAttachableFilesRepository, FakeFileSharesPublisher } from '../files/attachments.fakes';
import { type FileSharesPublisher } from '../files/file-shares.publisher';
import { AttachmentsService } from '../files/attachments.service';
import { type ReadMarkersRepository } from '../read-state/read-markers.repository';
import { ReadStateService } from '../read-state/read-state.service';
import { type MessageChanges } from '../edits/message-changes.service';
import { UnreadCounter } from '../read-state/unread-counter';
import { type UnreadLedgerRepository } from '../read-state/unread-ledger.repository';
import { type ThreadsRepository } from '../threads/threads.repository';
import { type UsersRepository } from '../users/users.repository';
import { FakeThreadsRepository, FakeUnreadLedger, PassThroughMessageChanges } from './feature-fakes';
import { UsersService } from '../users/users.service';
import { type WorkspaceMembership, type WorkspacesRepository } from '../workspaces/workspaces.repository';
import { WorkspacesService } from '../workspaces/workspaces.service';
import { type InvitationsRepository, type StoredInvitation } from '../workspaces/invitations.repository';
import { InvitationsService } from '../workspaces/invitations.service';
import { type WorkspaceEventsPublisher } from '../workspaces/workspace-events.publisher';

/** The public members of a class: what a fake must provide. */
export type Public<T> = { [K in keyof T]: T[K] };

/** A fake stands in for its adapter (Public<T> drops only private members, which callers never see). */
function port<T>(fake: Public<T>): T {
  return fake;
}

export class FixedClock implements Public<Clock> {
  constructor(public time = new Date('2025-01-01T00:00:00.000Z')) {}

  now(): Date {
    return new Date(this.time);
  }

  sleep(ms: number): Promise<void> {
    this.time = new Date(this.time.getTime() + ms);
    return Promise.resolve();
  }
}

/** Ids 00000000-0000-4000-8000-000000000001, ...002, ... */
export class SequentialIds implements Public<IdGenerator> {
  private next = 0;

  newId(): string {
    this.next += 1;
    return testId(this.next);
  }
}

export function testId(n: number, prefix = '00000000'): string {
  return `${prefix}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export class FakeUsersRepository implements Public<UsersRepository> {
  readonly users = new Map<string, User>();

  upsert(user: User): Promise<void> {
    this.users.set(user.id, user);
    return Promise.resolve();
  }

  byId(id: string): Promise<User | undefined> {
    return Promise.resolve(this.users.get(id));
  }

  byUsername(username: string): Promise<User | undefined> {
    return Promise.resolve([...this.users.values()].find((u) => u.username.toLowerCase() === username.toLowerCase()));
  }
}

export class FakeWorkspacesRepository implements Public<WorkspacesRepository> {
  readonly workspaces = new Map<string, Workspace>();
  readonly members = new Map<string, WorkspaceRole>();

  insert(workspace: Workspace): Promise<void> {
    this.workspaces.set(workspace.id, workspace);
    return Promise.resolve();
  }

  get(workspaceId: string): Promise<Workspace | undefined> {
    return Promise.resolve(this.workspaces.get(workspaceId));
  }

  addMember(workspaceId: string, userId: string, role: WorkspaceRole): Promise<void> {
    this.members.set(`${workspaceId}/${userId}`, role);
    return Promise.resolve();
  }

  role(workspaceId: string, userId: string): Promise<WorkspaceRole | undefined> {
    return Promise.resolve(this.members.get(`${workspaceId}/${userId}`));
  }

  removeMember(workspaceId: string, userId: string): Promise<void> {
    this.members.delete(`${workspaceId}/${userId}`);
    return Promise.resolve();
  }

  owners(workspaceId: string): Promise<string[]> {
    return Promise.resolve([...this.members].filter(([key, role]) => key.startsWith(`${workspaceId}/`) && role === 'owner').map(([key]) => key.slice(workspaceId.length + 1)));
  }

  ofUser(userId: string): Promise<WorkspaceMembership[]> {
    const out: WorkspaceMembership[] = [];
    for (const [key, role] of this.members) {
      const [workspaceId, member] = key.split('/') as [string, string];
      if (member === userId) out.push({ workspaceId, role });
    }
    return Promise.resolve(out);
  }
}

export class FakeInvitationsRepository implements Public<InvitationsRepository> {
  readonly rows = new Map<string, StoredInvitation>();

  put(invitation: StoredInvitation): Promise<void> {
    this.rows.set(`${invitation.userId}/${invitation.workspaceId}`, invitation);
    return Promise.resolve();
  }

  get(userId: string, workspaceId: string): Promise<StoredInvitation | undefined> {
    return Promise.resolve(this.rows.get(`${userId}/${workspaceId}`));
  }

  ofUser(userId: string): Promise<StoredInvitation[]> {
    return Promise.resolve([...this.rows.values()].filter((i) => i.userId === userId));
  }

  remove(userId: string, workspaceId: string): Promise<void> {
    this.rows.delete(`${userId}/${workspaceId}`);
    return Promise.resolve();
  }
}

export class FakeWorkspaceEvents implements Public<WorkspaceEventsPublisher> {
  readonly changes: { workspaceId: string; userId: string; change: 'joined' | 'left' }[] = [];

  membershipChanged(workspaceId: string, userId: string, change: 'joined' | 'left'): Promise<void> {
    this.changes.push({ workspaceId, userId, change });
    return Promise.resolve();
  }
}

export class FakeChannelsRepository implements Public<ChannelsRepository> {
  readonly channels = new Map<string, Channel>();
  readonly keys = new Map<string, string>();
  readonly listed = new Map<string, Channel>();

  insert(channel: Channel): Promise<void> {
    this.channels.set(channel.id, channel);
    return Promise.resolve();
  }

  remove(channelId: string): Promise<void> {
    this.channels.delete(channelId);
    return Promise.resolve();
  }

  get(channelId: string): Promise<Channel | undefined> {
    return Promise.resolve(this.channels.get(channelId));
  }

  claimKey(workspaceId: string, key: string, channelId: string): Promise<KeyClaim> {
    const owner = this.keys.get(`${workspaceId}/${key}`);
    if (owner) return Promise.resolve({ applied: false, channelId: owner });
    this.keys.set(`${workspaceId}/${key}`, channelId);
    return Promise.resolve({ applied: true });
  }

  keyOwner(workspaceId: string, key: string): Promise<string | undefined> {
    return Promise.resolve(this.keys.get(`${workspaceId}/${key}`));
  }

  addToWorkspace(channel: Channel): Promise<void> {
    this.listed.set(channel.id, channel);
    return Promise.resolve();
  }

  inWorkspace(workspaceId: string): Promise<Channel[]> {
    return Promise.resolve([...this.listed.values()].filter((c) => c.workspaceId === workspaceId));
  }
}

export class FakeChannelMembersRepository implements Public<ChannelMembersRepository> {
  readonly members = new Map<string, UserChannel & { userId: string }>();

  add(channel: Pick<Channel, 'id' | 'workspaceId'>, userId: string): Promise<void> {
    this.members.set(`${channel.id}/${userId}`, { channelId: channel.id, workspaceId: channel.workspaceId, userId });
    return Promise.resolve();
  }

  remove(channel: Pick<Channel, 'id' | 'workspaceId'>, userId: string): Promise<void> {
    this.members.delete(`${channel.id}/${userId}`);
    return Promise.resolve();
  }

  isMember(channelId: string, userId: string): Promise<boolean> {
    return Promise.resolve(this.members.has(`${channelId}/${userId}`));
  }

  someOf(channelId: string, limit: number): Promise<string[]> {
    return Promise.resolve([...this.members.values()].filter((m) => m.channelId === channelId).slice(0, limit).map((m) => m.userId));
  }

  channelsOf(userId: string): Promise<UserChannel[]> {
    return Promise.resolve(
      [...this.members.values()].filter((m) => m.userId === userId).map(({ workspaceId, channelId }) => ({ workspaceId, channelId })),
    );
  }

  channelsOfIn(userId: string, workspaceId: string): Promise<string[]> {
    return Promise.resolve([...this.members.values()].filter((m) => m.userId === userId && m.workspaceId === workspaceId).map((m) => m.channelId));
  }
}

export class FakeMessagesRepository implements Public<MessagesRepository> {
  /** `${channelId}/${bucket}` -> seq -> message. */
  readonly partitions = new Map<string, Map<number, Message>>();
  readonly byId = new Map<string, { channelId: string; seq: number }>();
  inserts = 0;
  /** Reads of a sender's messages over a whole channel (sentInChannelAfter). */
  channelWideReads = 0;

  constructor(private readonly buckets: MessageBuckets) {}

  /** Stores a message directly (as another writer would have). */
  put(message: Message): void {
    const key = `${message.channelId}/${this.buckets.of(message.seq)}`;
    let partition = this.partitions.get(key);
    if (!partition) this.partitions.set(key, (partition = new Map<number, Message>()));
    partition.set(message.seq, message);
  }

  all(channelId: string): Message[] {
    return [...this.partitions.entries()]
      .filter(([key]) => key.startsWith(`${channelId}/`))
      .flatMap(([, rows]) => [...rows.values()])
      .sort((a, b) => a.seq - b.seq);
  }

  storeAll(partition: MessagePartition, messages: readonly Message[]): Promise<void> {
    for (const message of messages) {
      this.checkBucket(partition, message.seq);
      this.inserts += 1;
      this.put(message);
    }
    return Promise.resolve();
  }

  recentIds(partition: MessagePartition, limit: number): Promise<{ seq: number; clientMsgId: string }[]> {
    return Promise.resolve(
      this.sorted(partition)
        .reverse()
        .slice(0, limit)
        .map((m) => ({ seq: m.seq, clientMsgId: m.clientMsgId })),
    );
  }

  get(partition: MessagePartition, seq: number): Promise<Message | undefined> {
    return Promise.resolve(this.rows(partition).get(seq));
  }

  maxSeq(partition: MessagePartition): Promise<number | undefined> {
    const seqs = [...this.rows(partition).keys()];
    return Promise.resolve(seqs.length ? Math.max(...seqs) : undefined);
  }

  between(partition: MessagePartition, from: number, to: number): Promise<Message[]> {
    return Promise.resolve(this.sorted(partition).filter((m) => m.seq >= from && m.seq <= to));
  }

  newestUpTo(partition: MessagePartition, upTo: number, limit: number): Promise<Message[]> {
    return Promise.resolve(
      this.sorted(partition)
        .filter((m) => m.seq <= upTo)
        .reverse()
        .slice(0, limit),
    );
  }

  oldestFrom(partition: MessagePartition, from: number, limit: number): Promise<Message[]> {
    return Promise.resolve(this.sorted(partition).filter((m) => m.seq >= from).slice(0, limit));
  }

  sentAfter(partition: MessagePartition, senderId: string, after: number): Promise<number[]> {
    return Promise.resolve(this.sorted(partition).filter((m) => m.senderId === senderId && m.seq > after).map((m) => m.seq));
  }

  sentInChannelAfter(channelId: string, senderId: string, after: number): Promise<number[]> {
    this.channelWideReads += 1;
    return Promise.resolve(this.all(channelId).filter((m) => m.senderId === senderId && m.seq > after).map((m) => m.seq));
  }

  indexById(messageId: string, location: { channelId: string; seq: number }): Promise<void> {
    this.byId.set(messageId, location);
    return Promise.resolve();
  }

  locate(messageId: string): Promise<{ channelId: string; seq: number } | undefined> {
    return Promise.resolve(this.byId.get(messageId));
  }

  private rows(partition: MessagePartition): Map<number, Message> {
    return this.partitions.get(`${partition.channelId}/${partition.bucket}`) ?? new Map<number, Message>();
  }

  private sorted(partition: MessagePartition): Message[] {
    return [...this.rows(partition).values()].sort((a, b) => a.seq - b.seq);
  }

  private checkBucket(partition: MessagePartition, seq: number): void {
    if (this.buckets.of(seq) !== partition.bucket) throw new Error(`seq ${seq} is not in bucket ${partition.bucket}`);
  }
}


export class FakeChannelHeadsRepository implements Public<ChannelHeadsRepository> {
  readonly hints = new Map<string, number>();

  hint(channelId: string): Promise<number> {
    return Promise.resolve(this.hints.get(channelId) ?? 0);
  }

  advance(channelId: string, seq: number): Promise<void> {
    this.hints.set(channelId, Math.max(seq, this.hints.get(channelId) ?? 0));
    return Promise.resolve();
  }
}

export class FakeReadMarkersRepository implements Public<ReadMarkersRepository> {
  readonly markers = new Map<string, number>();

  get(userId: string, channelId: string): Promise<number> {
    return Promise.resolve(this.markers.get(`${userId}/${channelId}`) ?? 0);
  }

  ofUser(userId: string): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const [key, seq] of this.markers) {
      const [user, channelId] = key.split('/') as [string, string];
      if (user === userId) out.set(channelId, seq);
    }
    return Promise.resolve(out);
  }

  advance(userId: string, channelId: string, seq: number): Promise<void> {
    const key = `${userId}/${channelId}`;
    this.markers.set(key, Math.max(seq, this.markers.get(key) ?? 0));
    return Promise.resolve();
  }
}

export type PublishedEvent =
  | { topic: 'message.updated'; message: Message }
  | { topic: 'reply'; replyTo: ReplyTo; commandId: string; result: CommandReply['result'] }
  | { topic: 'membership'; channel: Channel; userId: string; change: 'joined' | 'left' }
  | { topic: 'read'; moved: ReadMarkerMoved };

export class FakeEventsPublisher implements Public<EventsPublisher> {
  readonly events: PublishedEvent[] = [];

  messageUpdated(message: Message): Promise<void> {
    this.events.push({ topic: 'message.updated', message });
    return Promise.resolve();
  }

  reply(replyTo: ReplyTo, commandId: string, result: CommandResult): Promise<void> {
    this.events.push({ topic: 'reply', replyTo, commandId, result });
    return Promise.resolve();
  }

  membershipChanged(channel: Channel, userId: string, change: 'joined' | 'left'): Promise<void> {
    this.events.push({ topic: 'membership', channel, userId, change });
    return Promise.resolve();
  }

  readMarkerMoved(moved: ReadMarkerMoved): Promise<void> {
    this.events.push({ topic: 'read', moved });
    return Promise.resolve();
  }

  of<T extends PublishedEvent['topic']>(topic: T): Extract<PublishedEvent, { topic: T }>[] {
    return this.events.filter((e): e is Extract<PublishedEvent, { topic: T }> => e.topic === topic);
  }
}

export interface Messaging {
  fakes: {
    users: FakeUsersRepository;
    workspaces: FakeWorkspacesRepository;
    invitations: FakeInvitationsRepository;
    workspaceEvents: FakeWorkspaceEvents;
    channels: FakeChannelsRepository;
    members: FakeChannelMembersRepository;
    messages: FakeMessagesRepository;
    heads: FakeChannelHeadsRepository;
    markers: FakeReadMarkersRepository;
    events: FakeEventsPublisher;
    clock: FixedClock;
    ids: SequentialIds;
  };
  buckets: MessageBuckets;
  heads: ChannelHeads;
  users: UsersService;
  access: ChannelAccess;
  membership: ChannelMembershipService;
  channels: ChannelsService;
  workspaces: WorkspacesService;
  invitations: InvitationsService;
  readState: ReadStateService;
  commands: ChannelCommandService;
  attachments: AttachmentsService;
  history: HistoryService;
}

/** Every messaging service wired on fresh fakes, the way the Nest module wires them on Cassandra and Kafka. */
export function wire(options: { bucketSize?: number; userProjectionWaitMs?: number } = {}): Messaging {
  const buckets = new MessageBuckets(options.bucketSize ?? 10);
  const fakes = {
    users: new FakeUsersRepository(),
    workspaces: new FakeWorkspacesRepository(),
    invitations: new FakeInvitationsRepository(),
    workspaceEvents: new FakeWorkspaceEvents(),
    channels: new FakeChannelsRepository(),
    members: new FakeChannelMembersRepository(),
    messages: new FakeMessagesRepository(buckets),
    heads: new FakeChannelHeadsRepository(),
    markers: new FakeReadMarkersRepository(),
    events: new FakeEventsPublisher(),
    files: new FakeAttachableFilesRepository(),
    shares: new FakeFileSharesPublisher(),
    clock: new FixedClock(),
    ids: new SequentialIds(),
  };
  const clock = port<Clock>(fakes.clock);
  const ids = port<IdGenerator>(fakes.ids);
  const events = port<EventsPublisher>(fakes.events);
  const workspacesRepo = port<WorkspacesRepository>(fakes.workspaces);
  const channelsRepo = port<ChannelsRepository>(fakes.channels);
  const membersRepo = port<ChannelMembersRepository>(fakes.members);
  const messagesRepo = port<MessagesRepository>(fakes.messages);
  const headsRepo = port<ChannelHeadsRepository>(fakes.heads);
  const markersRepo = port<ReadMarkersRepository>(fakes.markers);

  const heads = new ChannelHeads(headsRepo, messagesRepo, buckets, { CHANNEL_HEAD_CACHE_SIZE: 1000 });
  const users = new UsersService(port<UsersRepository>(fakes.users), clock, { USER_PROJECTION_WAIT_MS: options.userProjectionWaitMs ?? 0 });
  const memberCache = new MemberCache(clock, { MEMBER_CACHE_SIZE: 1_000, MEMBER_CACHE_TTL_MS: 30_000 });
  const access = new ChannelAccess(channelsRepo, membersRepo, workspacesRepo, memberCache);
  const membership = new ChannelMembershipService(access, membersRepo, channelsRepo, workspacesRepo, events, clock, memberCache);
  const unread = new UnreadCounter(port<UnreadLedgerRepository>(new FakeUnreadLedger()), port<ThreadsRepository>(new FakeThreadsRepository()), messagesRepo, buckets);
  const channels = new ChannelsService(channelsRepo, membersRepo, membership, workspacesRepo, heads, markersRepo, users, ids, clock, unread);
  const workspaces = new WorkspacesService(workspacesRepo, channels, membership, port<WorkspaceEventsPublisher>(fakes.workspaceEvents), ids, clock);
  const invitations = new InvitationsService(port<InvitationsRepository>(fakes.invitations), workspacesRepo, workspaces, users, clock);
  const readState = new ReadStateService(access, markersRepo, heads, events);
  const attachments = new AttachmentsService(port<AttachableFilesRepository>(fakes.files), port<FileSharesPublisher>(fakes.shares), clock, { FILE_PROJECTION_WAIT_MS: 0 });
  const commands = new ChannelCommandService(readState, events, port<MessageChanges>(new PassThroughMessageChanges()));
  const history = new HistoryService(access, messagesRepo, headsRepo, heads, buckets);
  return { fakes, buckets, heads, users, access, membership, channels, workspaces, invitations, readState, commands, history, attachments };
}
