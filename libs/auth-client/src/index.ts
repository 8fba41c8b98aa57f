// @chat/auth-client: how every service authenticates requests without calling auth: access-token
// verification against the published JWKS, the Passport JWT strategy, its Nest guard and the
// @CurrentUser() decorator.
export * from './access-token';
export * from './jwt-verifier';
export * from './passport-strategy';
export * from './jwt.strategy';
export * from './auth.guard';
export * from './current-user.decorator';
export * from './auth-client.module';
