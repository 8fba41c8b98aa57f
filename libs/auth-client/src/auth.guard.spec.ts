import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ErrorFilter } from '@chat/service-kit';
import { type Server } from 'node:http';
import request from 'supertest';
import { type ErrorBody } from '@chat/contracts';
import { type AuthenticatedUser } from './access-token';
import { AuthClientModule } from './auth-client.module';
import { AuthGuard } from './auth.guard';
import { CurrentUser } from './current-user.decorator';
import { JwksServer, signToken, TEST_USER_ID, testKey, type TestKey } from './test-keys';

@Controller('whoami')
class WhoAmIController {
  @Get()
  @UseGuards(AuthGuard)
  whoami(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Get('unguarded')
  unguarded(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }
}

async function whoAmIApp(jwksUrl: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthClientModule.forRoot({ jwksUrl })],
    controllers: [WhoAmIController],
    providers: [{ provide: APP_FILTER, useClass: ErrorFilter }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('AuthGuard (Passport JwtStrategy) and @CurrentUser()', () => {
  let server: JwksServer;
  let key: TestKey;
  let app: INestApplication;
  const http = (): Server => app.getHttpServer() as Server;

  beforeAll(async () => {
    key = await testKey('k1');
    server = await new JwksServer().start();
    server.keys = [key.publicJwk];
    app = await whoAmIApp(server.url);
  });

  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('passes the caller of a valid bearer token to the handler', async () => {
    const token = await signToken(key, { username: 'bob' });
    const response = await request(http()).get('/whoami').set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.body).toEqual({ id: TEST_USER_ID, username: 'bob' });
  });

  it('accepts the scheme in any case', async () => {
    const token = await signToken(key);
    await request(http()).get('/whoami').set('Authorization', `bearer ${token}`).expect(200);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['a bad token', 'Bearer not.a.token'],
  ])('answers 401 unauthorized with %s', async (_name, header) => {
    const call = request(http()).get('/whoami');
    const response = await (header === undefined ? call : call.set('Authorization', header)).expect(401);
    expect(response.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) as string } });
  });

  it('answers 401 for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signToken(key, { iat: now - 3600, exp: now - 600 });
    const response = await request(http()).get('/whoami').set('Authorization', `Bearer ${token}`).expect(401);
    expect((response.body as ErrorBody).error.message).toBe('access token expired');
  });

  it('refuses @CurrentUser() on a handler without the guard', async () => {
    const token = await signToken(key);
    await request(http()).get('/whoami/unguarded').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('answers 503 unavailable while the keys cannot be fetched', async () => {
    const down = await new JwksServer().start();
    down.status = 500;
    const other = await whoAmIApp(down.url);
    try {
      const response = await request(other.getHttpServer() as Server).get('/whoami').set('Authorization', `Bearer ${await signToken(key)}`).expect(503);
      expect((response.body as ErrorBody).error.code).toBe('unavailable');
    } finally {
      await other.close();
      await down.stop();
    }
  });

  it('keeps each application on its own keys when two run in one process, also after one closes', async () => {
    const otherKey = await testKey('k2');
    const otherServer = await new JwksServer().start();
    otherServer.keys = [otherKey.publicJwk];
    const other = await whoAmIApp(otherServer.url);
    try {
      await request(http()).get('/whoami').set('Authorization', `Bearer ${await signToken(key)}`).expect(200);
      await request(http()).get('/whoami').set('Authorization', `Bearer ${await signToken(otherKey)}`).expect(401);
      const otherHttp = other.getHttpServer() as Server;
      await request(otherHttp).get('/whoami').set('Authorization', `Bearer ${await signToken(otherKey)}`).expect(200);
      await request(otherHttp).get('/whoami').set('Authorization', `Bearer ${await signToken(key)}`).expect(401);
    } finally {
      await other.close();
      await otherServer.stop();
    }
    await request(http()).get('/whoami').set('Authorization', `Bearer ${await signToken(key)}`).expect(200);
  });
});
