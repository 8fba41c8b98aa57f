// Every REST route of the one origin, as data: the gateway routes by these prefixes and each
// service's OpenAPI document is generated from them.
import { type z } from 'zod';
import { ErrorBodySchema } from '../errors';
import {
  AuthSessionSchema,
  ChangePasswordRequestSchema,
  JwksSchema,
  LoginRequestSchema,
  LogoutRequestSchema,
  MeResponseSchema,
  RefreshRequestSchema,
  RegisterRequestSchema,
  TokenPairSchema,
} from './auth.dto';
import { CreateFileRequestSchema, CreateFileResponseSchema, FileResponseSchema } from './files.dto';
import {
  HistoryQuerySchema,
  HistoryResponseSchema,
  MembershipsResponseSchema,
  SyncRequestSchema,
  SyncResponseSchema,
  ThreadQuerySchema,
  ThreadResponseSchema,
} from './messages.dto';
import { PinRequestSchema, PinResponseSchema, PinsResponseSchema, SearchQuerySchema, SearchResponseSchema } from './message-features.dto';
import { PresenceQuerySchema, PresenceResponseSchema } from './presence.dto';
import { UsersQuerySchema, UsersResponseSchema } from './users.dto';
import {
  AddChannelMemberRequestSchema,
  AddWorkspaceMemberRequestSchema,
  ChannelListResponseSchema,
  ChannelResponseSchema,
  CreateChannelRequestSchema,
  CreateDmRequestSchema,
  CreateWorkspaceRequestSchema,
  InvitationListResponseSchema,
  InvitationResponseSchema,
  InviteToWorkspaceRequestSchema,
  WorkspaceListResponseSchema,
  WorkspaceResponseSchema,
} from './workspaces.dto';

export const SERVICE_NAMES = ['gateway', 'auth', 'messaging', 'presence', 'files'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Longest prefix wins: how the gateway picks the service that owns a REST path. */
export const ROUTE_PREFIXES: readonly { prefix: string; service: ServiceName }[] = [
  { prefix: '/auth', service: 'auth' },
  { prefix: '/api/presence', service: 'presence' },
  { prefix: '/api/files', service: 'files' },
  { prefix: '/api', service: 'messaging' },
];

export function serviceForPath(path: string): ServiceName | undefined {
  return ROUTE_PREFIXES.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`))?.service;
}

export interface RouteContract {
  service: ServiceName;
  method: 'get' | 'post' | 'delete';
  /** OpenAPI-style path, parameters in braces. */
  path: string;
  summary: string;
  authenticated: boolean;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Status code of success and its body schema (null for no body). */
  success: { status: number; body: z.ZodType | null };
  /** Error codes this route may answer besides `invalid`/`unauthorized`/`unavailable`. */
  errors?: number[];
}

const NoContent = null;

export const REST_ROUTES: readonly RouteContract[] = [
  { service: 'auth', method: 'post', path: '/auth/register', summary: 'Create an account', authenticated: false, body: RegisterRequestSchema, success: { status: 201, body: AuthSessionSchema }, errors: [409, 429] },
  { service: 'auth', method: 'post', path: '/auth/login', summary: 'Sign in', authenticated: false, body: LoginRequestSchema, success: { status: 200, body: AuthSessionSchema }, errors: [429] },
  { service: 'auth', method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token', authenticated: false, body: RefreshRequestSchema, success: { status: 200, body: TokenPairSchema } },
  { service: 'auth', method: 'post', path: '/auth/logout', summary: 'Revoke a refresh token', authenticated: false, body: LogoutRequestSchema, success: { status: 204, body: NoContent } },
  { service: 'auth', method: 'post', path: '/auth/sign-out-everywhere', summary: "End every session of the caller (refresh tokens and open sockets)", authenticated: true, success: { status: 204, body: NoContent } },
  { service: 'auth', method: 'post', path: '/auth/password', summary: 'Change the password: every session ends, a new one is returned', authenticated: true, body: ChangePasswordRequestSchema, success: { status: 200, body: AuthSessionSchema }, errors: [403, 429] },
  { service: 'auth', method: 'get', path: '/auth/me', summary: 'The caller', authenticated: true, success: { status: 200, body: MeResponseSchema } },
  { service: 'auth', method: 'get', path: '/auth/.well-known/jwks.json', summary: 'Public keys that verify access tokens', authenticated: false, success: { status: 200, body: JwksSchema } },
  { service: 'messaging', method: 'post', path: '/api/workspaces', summary: 'Create a workspace', authenticated: true, body: CreateWorkspaceRequestSchema, success: { status: 201, body: WorkspaceResponseSchema } },
  { service: 'messaging', method: 'get', path: '/api/workspaces', summary: "The caller's workspaces", authenticated: true, success: { status: 200, body: WorkspaceListResponseSchema } },
  { service: 'messaging', method: 'post', path: '/api/workspaces/{id}/invitations', summary: 'Invite a user (any member); they join only by accepting', authenticated: true, body: InviteToWorkspaceRequestSchema, success: { status: 201, body: InvitationResponseSchema }, errors: [404, 409] },
  { service: 'messaging', method: 'post', path: '/api/workspaces/{id}/members', summary: 'Invite a user (the older name of POST /api/workspaces/{id}/invitations): no one is added without accepting', authenticated: true, body: AddWorkspaceMemberRequestSchema, success: { status: 201, body: InvitationResponseSchema }, errors: [404, 409] },
  { service: 'messaging', method: 'delete', path: '/api/workspaces/{id}/members/{userId}', summary: 'Leave (userId `me` or your own id; the last owner cannot) or, as an owner, remove a member', authenticated: true, success: { status: 204, body: NoContent }, errors: [403, 404, 409] },
  { service: 'messaging', method: 'get', path: '/api/me/invitations', summary: "The caller's pending workspace invitations", authenticated: true, success: { status: 200, body: InvitationListResponseSchema } },
  { service: 'messaging', method: 'post', path: '/api/me/invitations/{workspaceId}/accept', summary: 'Accept an invitation: join the workspace and its #general', authenticated: true, success: { status: 200, body: WorkspaceResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'post', path: '/api/me/invitations/{workspaceId}/decline', summary: 'Decline an invitation', authenticated: true, success: { status: 204, body: NoContent }, errors: [404] },
  { service: 'messaging', method: 'get', path: '/api/workspaces/{id}/channels', summary: 'Channels the caller can see, with read state', authenticated: true, success: { status: 200, body: ChannelListResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'post', path: '/api/workspaces/{id}/channels', summary: 'Create a channel', authenticated: true, body: CreateChannelRequestSchema, success: { status: 201, body: ChannelResponseSchema }, errors: [404, 409] },
  { service: 'messaging', method: 'post', path: '/api/workspaces/{id}/dms', summary: 'Open the DM of a set of users', authenticated: true, body: CreateDmRequestSchema, success: { status: 201, body: ChannelResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'post', path: '/api/channels/{id}/members', summary: 'Join or invite to a channel', authenticated: true, body: AddChannelMemberRequestSchema, success: { status: 201, body: NoContent }, errors: [403, 404] },
  { service: 'messaging', method: 'delete', path: '/api/channels/{id}/members/me', summary: 'Leave a channel', authenticated: true, success: { status: 204, body: NoContent }, errors: [404] },
  { service: 'messaging', method: 'get', path: '/api/channels/{id}/messages', summary: 'Message history', authenticated: true, query: HistoryQuerySchema, success: { status: 200, body: HistoryResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'get', path: '/api/channels/{id}/messages/{messageId}/thread', summary: 'Thread replies', authenticated: true, query: ThreadQuerySchema, success: { status: 200, body: ThreadResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'get', path: '/api/channels/{id}/pins', summary: 'Pinned messages of a channel, newest pin first', authenticated: true, success: { status: 200, body: PinsResponseSchema }, errors: [403, 404] },
  { service: 'messaging', method: 'post', path: '/api/channels/{id}/pins', summary: 'Pin a message (any member)', authenticated: true, body: PinRequestSchema, success: { status: 201, body: PinResponseSchema }, errors: [403, 404] },
  { service: 'messaging', method: 'delete', path: '/api/channels/{id}/pins/{messageId}', summary: 'Unpin a message (any member)', authenticated: true, success: { status: 204, body: NoContent }, errors: [403, 404] },
  { service: 'messaging', method: 'get', path: '/api/search', summary: "Full-text search over the caller's channels, by relevance then recency", authenticated: true, query: SearchQuerySchema, success: { status: 200, body: SearchResponseSchema }, errors: [404] },
  { service: 'messaging', method: 'post', path: '/api/sync', summary: 'Every stored message after each cursor, oldest first (the socket `sync`)', authenticated: true, body: SyncRequestSchema, success: { status: 200, body: SyncResponseSchema } },
  { service: 'messaging', method: 'get', path: '/api/me/memberships', summary: 'Workspaces and channels the caller belongs to', authenticated: true, success: { status: 200, body: MembershipsResponseSchema } },
  { service: 'messaging', method: 'get', path: '/api/users', summary: 'Public profiles by ids or username', authenticated: true, query: UsersQuerySchema, success: { status: 200, body: UsersResponseSchema } },
  { service: 'presence', method: 'get', path: '/api/presence', summary: 'Presence of users who share a workspace with the caller', authenticated: true, query: PresenceQuerySchema, success: { status: 200, body: PresenceResponseSchema } },
  { service: 'files', method: 'post', path: '/api/files', summary: 'Start an upload', authenticated: true, body: CreateFileRequestSchema, success: { status: 201, body: CreateFileResponseSchema }, errors: [413] },
  { service: 'files', method: 'post', path: '/api/files/{id}/complete', summary: 'Finish an upload', authenticated: true, success: { status: 200, body: FileResponseSchema }, errors: [404] },
  { service: 'files', method: 'get', path: '/api/files/{id}', summary: 'Download (302 to a short-lived URL)', authenticated: true, success: { status: 302, body: NoContent }, errors: [404] },
  { service: 'files', method: 'get', path: '/api/files/{id}/thumbnail', summary: "An image's thumbnail (302 to a short-lived URL)", authenticated: true, success: { status: 302, body: NoContent }, errors: [404] },
];

export { ErrorBodySchema };
