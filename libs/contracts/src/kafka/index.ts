import { type TopicDefinition } from './topic';
import { ChannelMembershipTopic, ReadMarkerTopic } from './channels';
import { ChannelCommandTopic, CommandReplyTopic, MessageSequencedTopic, MessageStoredTopic, MessageUpdatedTopic } from './messages';
import { FileChangedTopic, FileSharedTopic } from './files';
import { PresenceChangedTopic, PresenceSignalTopic } from './presence';
import { UserRegisteredTopic } from './users';
import { SessionRevokedTopic } from './sessions';
import { WorkspaceMembershipTopic } from './workspaces';

export * from './topic';
export * from './users';
export * from './sessions';
export * from './messages';
export * from './sequenced-reader';
export * from './channels';
export * from './workspaces';
export * from './files';
export * from './presence';

/** Every topic of the system, for set-up scripts and the AsyncAPI document. */
export const ALL_TOPICS: readonly TopicDefinition[] = [
  UserRegisteredTopic,
  SessionRevokedTopic,
  ChannelCommandTopic,
  MessageSequencedTopic,
  MessageStoredTopic,
  MessageUpdatedTopic,
  CommandReplyTopic,
  ChannelMembershipTopic,
  WorkspaceMembershipTopic,
  ReadMarkerTopic,
  FileChangedTopic,
  FileSharedTopic,
  PresenceSignalTopic,
  PresenceChangedTopic,
];
