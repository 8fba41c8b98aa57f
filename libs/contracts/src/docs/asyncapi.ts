// Builds the AsyncAPI 3 document of the Socket.IO events and the Kafka topics from their schemas.
import { z } from 'zod';
import { ALL_TOPICS } from '../kafka';
import { CLIENT_EVENT_SCHEMAS } from '../socket/client-events';
import { SERVER_EVENT_SCHEMAS } from '../socket/events';

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonObject;
  return rest;
}

export function buildAsyncApiDocument(version: string): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const add = (id: string, address: string, description: string, payload: z.ZodType, action: 'send' | 'receive', server: string): void => {
    channels[id] = { address, description, servers: [{ $ref: `#/servers/${server}` }], messages: { [id]: { payload: schemaOf(payload) } } };
    operations[`${action}-${id}`] = { action, channel: { $ref: `#/channels/${id}` } };
  };
  for (const [event, schema] of Object.entries(CLIENT_EVENT_SCHEMAS)) {
    add(`socket-${event}`, event, `client to server (acknowledged)`, schema, 'receive', 'socketio');
  }
  for (const [event, schema] of Object.entries(SERVER_EVENT_SCHEMAS)) {
    add(`socket-${event}`, event, 'server to client', schema, 'send', 'socketio');
  }
  for (const topic of ALL_TOPICS) {
    add(topic.name, topic.name, `${topic.description} Key: ${topic.key}. Partitions: ${topic.partitions}.`, topic.schema, 'send', 'kafka');
  }
  return {
    asyncapi: '3.0.0',
    info: { title: 'Chat platform events', version },
    servers: {
      socketio: { host: 'localhost:8080', protocol: 'ws', pathname: '/socket.io', description: 'Socket.IO on the one origin' },
      kafka: { host: 'localhost:9092', protocol: 'kafka', description: 'internal service bus' },
    },
    channels,
    operations,
  };
}
