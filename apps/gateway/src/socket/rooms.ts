// Room names. Every instance keeps its own local rooms (no shared adapter): a Kafka event is read
// by every instance and emitted to the room on each, reaching every local socket in it.

/** Every device of one user. */
export const userRoom = (userId: string): string => `user:${userId}`;
/** Every device of every member of one channel. */
export const channelRoom = (channelId: string): string => `ch:${channelId}`;
/** Every device of every member of one workspace (presence scoping). */
export const workspaceRoom = (workspaceId: string): string => `ws:${workspaceId}`;
