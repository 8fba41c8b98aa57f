// `npm start -- --bus rabbitmq` (issue 16): the command users run brings the whole system up on
// RabbitMQ (no Kafka client in any service), and two users on two gateways talk through it. The
// browser test (e2e/web) covers `npm start` on Kafka; this one runs in the RabbitMQ pass only.
import { type Message } from '@chat/contracts';
import { waitFor } from '@chat/testing';
import { ChatUser } from '../support/chat-client';
import { WebSystem } from '../web/web-system';

interface ReadyBody {
  details: Record<string, { status: string }>;
}

describe('npm start -- --bus rabbitmq', () => {
  let system: WebSystem;

  beforeAll(async () => {
    system = await WebSystem.start(2, { bus: 'rabbitmq', build: false });
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
  }, 120_000);

  it('runs every service on RabbitMQ', async () => {
    const services = system.state().processes;
    expect(services.map((p) => p.service).sort()).toEqual(['auth', 'files', 'gateway', 'gateway', 'messaging', 'presence']);
    for (const process of services) {
      const body = (await (await fetch(`http://127.0.0.1:${process.port}/health/ready`)).json()) as ReadyBody;
      expect({ name: process.name, rabbitmq: body.details['rabbitmq']?.status, kafka: body.details['kafka'] }).toEqual({ name: process.name, rabbitmq: 'up', kafka: undefined });
    }
  });

  it('registers two users through the one origin, and a message sent on one gateway reaches the other', async () => {
    const ada = await ChatUser.register(system.url, 'ada');
    const bob = await ChatUser.register(system.url, 'bob');
    const { workspace, general } = await ada.createWorkspace();
    await ada.addToWorkspace(workspace.id, bob);

    // Sockets straight to each gateway: the message crosses from one to the other only over the bus.
    const adaDevice = await ada.connect(`http://127.0.0.1:${system.gateway(0).port}`);
    const bobDevice = await bob.connect(`http://127.0.0.1:${system.gateway(1).port}`);
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) sent.push(await adaDevice.sendOk(general.id, `over rabbitmq ${i}`));
    await bobDevice.waitForCount(general.id, 5);
    expect(bobDevice.messagesOf(general.id).map((m) => [m.seq, m.text])).toEqual(sent.map((m) => [m.seq, m.text]));

    // And stored: bob reads the same history through the front door.
    const history = await waitFor('the history to hold the five messages', async () => {
      const messages = await bob.history(general.id);
      return messages.length >= 5 ? messages : undefined;
    }, 30_000, 250);
    expect(history.map((m) => m.text)).toEqual(sent.map((m) => m.text));
    for (const device of [adaDevice, bobDevice]) device.close();
  });
});
