import {
  ALL_TOPICS,
  buildAsyncApiDocument,
  buildOpenApiDocument,
  ChannelCommandSchema,
  HistoryQuerySchema,
  PresenceQuerySchema,
  REST_ROUTES,
  SendMessagePayloadSchema,
  serviceForPath,
} from './index';

const uuid = '6f1c1e0e-4a8b-4c1e-9f5a-1d2b3c4d5e6f';

describe('socket payloads', () => {
  it('accepts a well-formed send and rejects text over 4,000 characters', () => {
    expect(SendMessagePayloadSchema.safeParse({ channelId: uuid, clientMsgId: uuid, text: 'hi' }).success).toBe(true);
    const long = SendMessagePayloadSchema.safeParse({ channelId: uuid, clientMsgId: uuid, text: 'x'.repeat(4001) });
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.path).toEqual(['text']);
  });

  it('rejects blank text and non-uuid ids', () => {
    expect(SendMessagePayloadSchema.safeParse({ channelId: uuid, clientMsgId: uuid, text: '   ' }).success).toBe(false);
    expect(SendMessagePayloadSchema.safeParse({ channelId: 'c1', clientMsgId: uuid, text: 'a' }).success).toBe(false);
  });
});

describe('REST query DTOs', () => {
  it('coerces history cursors and refuses before and after together', () => {
    expect(HistoryQuerySchema.parse({ before: '10', limit: '20' })).toEqual({ before: 10, limit: 20 });
    expect(HistoryQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(HistoryQuerySchema.safeParse({ before: '1', after: '2' }).success).toBe(false);
    expect(HistoryQuerySchema.safeParse({ limit: '201' }).success).toBe(false);
  });

  it('splits presence user ids', () => {
    expect(PresenceQuerySchema.parse({ userIds: `${uuid}, ${uuid}` }).userIds).toEqual([uuid, uuid]);
    expect(PresenceQuerySchema.safeParse({ userIds: 'nope' }).success).toBe(false);
  });
});

describe('kafka topics', () => {
  it('have unique versioned names and explicit partitions', () => {
    const names = ALL_TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of ALL_TOPICS) {
      expect(topic.name).toMatch(/^chat\.[a-z-]+\.[a-z-]+\.v\d+$/);
      expect(topic.partitions).toBeGreaterThan(0);
    }
  });

  it('discriminate channel commands by type', () => {
    const command = ChannelCommandSchema.parse({
      type: 'message.send',
      commandId: uuid,
      userId: uuid,
      issuedAt: new Date().toISOString(),
      payload: { channelId: uuid, clientMsgId: uuid, text: 'hello' },
    });
    expect(command.type).toBe('message.send');
    expect(ChannelCommandSchema.safeParse({ ...command, type: 'message.explode' }).success).toBe(false);
  });
});

describe('routing and documents', () => {
  it('routes every REST path to the service that declares it', () => {
    for (const route of REST_ROUTES) {
      expect(serviceForPath(route.path.replace(/\{\w+\}/g, uuid))).toBe(route.service);
    }
    expect(serviceForPath('/socket.io/')).toBeUndefined();
    expect(serviceForPath('/authx')).toBeUndefined();
  });

  it('generates an OpenAPI document per service with every route', () => {
    const doc = buildOpenApiDocument({ title: 'messaging', version: '1', service: 'messaging' }) as { paths: Record<string, Record<string, unknown>> };
    const expected = REST_ROUTES.filter((r) => r.service === 'messaging');
    const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(operations).toBe(expected.length);
    expect(doc.paths['/api/channels/{id}/messages']?.get).toBeDefined();
  });

  it('generates an AsyncAPI document naming every topic', () => {
    const doc = buildAsyncApiDocument('1') as { channels: Record<string, unknown> };
    for (const topic of ALL_TOPICS) expect(doc.channels[topic.name]).toBeDefined();
    expect(doc.channels['socket-message:send']).toBeDefined();
  });
});
