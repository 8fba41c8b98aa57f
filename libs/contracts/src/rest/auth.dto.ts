import { z } from 'zod';
import { DisplayNameSchema, PasswordSchema, UsernameSchema } from '../common';
import { UserSchema } from '../domain/user';

export const RegisterRequestSchema = z.object({
  username: UsernameSchema,
  password: PasswordSchema,
  displayName: DisplayNameSchema.optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const LoginRequestSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512) });
export type RefreshRequest = z.infer<typeof RefreshRequestSchema>;

export const LogoutRequestSchema = RefreshRequestSchema;

/** `POST /auth/password`: every session of the user ends; the answer is a new one for the caller. */
export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: PasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;
export type LogoutRequest = RefreshRequest;

export const TokenPairSchema = z.object({ accessToken: z.string(), refreshToken: z.string() });
export type TokenPair = z.infer<typeof TokenPairSchema>;

export const AuthSessionSchema = TokenPairSchema.extend({ user: UserSchema });
export type AuthSession = z.infer<typeof AuthSessionSchema>;

export const MeResponseSchema = z.object({ user: UserSchema });

export const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/** The claims of an access token, as every service reads them. */
export const AccessClaimsSchema = z.object({
  sub: z.uuid(),
  username: z.string(),
  exp: z.number(),
  iat: z.number(),
  /** The session (refresh-token family) the token was issued to; absent on tokens older than sessions. */
  sid: z.uuid().optional(),
});
export type AccessClaims = z.infer<typeof AccessClaimsSchema>;
