// The web client in a real browser against the system `npm start` runs (two gateways behind the
// one origin): two users in two browser contexts register, share a workspace and talk; unread
// badges; pins and search; typing and presence; a gateway killed under one user and restarted.
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { launchBrowser, SCREENSHOTS, WebSystem } from './web-system';

jest.setTimeout(900_000);

const PASSWORD = 'correct horse battery';
const WAIT = { timeout: 60_000 };

let system: WebSystem;
let browser: Browser;
let ada: { context: BrowserContext; page: Page };
let bob: { context: BrowserContext; page: Page };
const names = { ada: '', bob: '' };

async function open(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
  const page = await context.newPage();
  await page.goto(system.url);
  return { context, page };
}

async function register(page: Page, username: string, displayName: string): Promise<void> {
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

const channelButton = (page: Page, name: string): Locator => page.locator(`nav[aria-label="Channels"] button[data-channel="${name}"]`);
const log = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });
const composer = (page: Page): Locator => page.locator('.composer textarea');

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Waits until the message list shows `text` as a stored message (not pending). */
async function expectMessage(page: Page, text: string): Promise<void> {
  await log(page).locator('.message[data-seq] .text', { hasText: text }).first().waitFor(WAIT);
}

beforeAll(async () => {
  system = await WebSystem.start(2);
  browser = await launchBrowser();
  names.ada = `ada${system.run.slice(3, 9)}`;
  names.bob = `bob${system.run.slice(3, 9)}`;
});

afterAll(async () => {
  // The last state of both screens, for a failing run.
  for (const [name, user] of Object.entries({ ada, bob })) {
    if (user && !user.page.isClosed()) await user.page.screenshot({ path: join(SCREENSHOTS, `99-last-${name}.png`) }).catch(() => undefined);
  }
  await browser?.close();
  await system?.stop();
});

describe('web client in a real browser', () => {
  it('two users register, share a workspace and see each other’s messages without reload', async () => {
    bob = await open();
    await register(bob.page, names.bob, 'Bob');
    await bob.page.getByRole('heading', { name: 'Welcome!' }).waitFor(WAIT);

    ada = await open();
    await ada.page.screenshot({ path: join(SCREENSHOTS, '01-sign-in.png') });
    await register(ada.page, names.ada, 'Ada');
    await ada.page.getByLabel('Workspace name').fill('Analytical Engines');
    await ada.page.getByRole('button', { name: 'Create workspace' }).click();
    await channelButton(ada.page, 'general').waitFor(WAIT);
    await ada.page.getByRole('button', { name: 'Invite' }).click();
    await ada.page.getByLabel('Username to invite').fill(names.bob);
    await ada.page.getByRole('button', { name: 'Send invite' }).click();
    await ada.page.getByText('Invited.').waitFor(WAIT);

    // Bob is not a member until he accepts; then his client opens #general.
    await bob.page.getByRole('button', { name: 'Check invitations' }).click();
    await bob.page.getByRole('button', { name: 'Accept invitation to Analytical Engines' }).click();
    await channelButton(bob.page, 'general').waitFor(WAIT);
    await bob.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);

    await send(ada.page, `Hello @${names.bob}, this is **bold** and \`code\``);
    await expectMessage(bob.page, 'Hello');
    await bob.page.locator('.message strong', { hasText: 'bold' }).waitFor(WAIT);
    await bob.page.locator('.mention.me', { hasText: `@${names.bob}` }).waitFor(WAIT);

    await send(bob.page, `Hi @${names.ada}! see https://example.org`);
    await expectMessage(ada.page, 'Hi');
    await ada.page.locator('.message a[href="https://example.org"]').waitFor(WAIT);
    // Grouped by sender with the display name, no pending leftovers.
    await ada.page.locator('.run .sender', { hasText: 'Bob' }).waitFor(WAIT);
    expect(await ada.page.locator('[data-pending]').count()).toBe(0);
    await ada.page.screenshot({ path: join(SCREENSHOTS, '02-channel.png') });
    // The front door spread them over the two gateways: each message crossed instances.
    const gatewayOf = async (context: BrowserContext): Promise<string | undefined> => (await context.cookies()).find((c) => c.name === 'chat-gw')?.value;
    expect(await gatewayOf(ada.context)).toBeDefined();
    expect(await gatewayOf(ada.context)).not.toBe(await gatewayOf(bob.context));
  });

  it('shows an unread badge on a channel that is not open and clears it when opened', async () => {
    await ada.page.getByRole('button', { name: '+ Channel' }).click();
    await ada.page.getByLabel('Channel name').fill('random');
    await ada.page.getByRole('button', { name: 'Create channel' }).click();
    await ada.page.getByRole('heading', { name: '# random' }).waitFor(WAIT);

    await bob.page.getByRole('button', { name: 'Browse' }).click();
    await bob.page.getByRole('button', { name: 'Join #random' }).click();
    await bob.page.getByRole('heading', { name: '# random' }).waitFor(WAIT);
    await channelButton(bob.page, 'general').click();
    await bob.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);

    await send(ada.page, 'anyone in random?');
    await send(ada.page, `@${names.bob} you are needed`);
    const badge = channelButton(bob.page, 'random').getByTestId('unread-badge');
    await badge.waitFor(WAIT);
    await bob.page.locator(`nav button[data-channel="random"][aria-label*="2 unread"]`).waitFor(WAIT);
    expect(await badge.textContent()).toBe('@1');
    await bob.page.screenshot({ path: join(SCREENSHOTS, '03-unread-badge.png') });

    await channelButton(bob.page, 'random').click();
    await expectMessage(bob.page, 'you are needed');
    // Sent back to back, shown in the order typed.
    const texts = await log(bob.page).locator('.message[data-seq] .text').allTextContents();
    expect(texts.findIndex((t) => t.includes('anyone in random?'))).toBeLessThan(texts.findIndex((t) => t.includes('you are needed')));
    await badge.waitFor({ state: 'detached', ...WAIT });
    expect(await channelButton(bob.page, 'random').getAttribute('class')).not.toContain('unread');
  });

  it('pins a message for the channel and finds a sent word through search', async () => {
    // Bob (in #random) pins Ada's message; the Pinned panel lists it and the message is marked.
    const target = log(bob.page).locator('.message[data-seq]', { hasText: 'anyone in random?' });
    await target.hover();
    await target.getByRole('button', { name: 'Pin message', exact: true }).click();
    await target.getByRole('button', { name: 'Unpin message', exact: true }).waitFor(WAIT);
    await bob.page.getByRole('button', { name: /Pinned/ }).click();
    const pinned = bob.page.getByRole('list', { name: 'Pinned messages' });
    await pinned.locator('li', { hasText: 'anyone in random?' }).waitFor(WAIT);
    expect(await pinned.locator('li', { hasText: 'Pinned by Bob' }).count()).toBe(1);
    await bob.page.screenshot({ path: join(SCREENSHOTS, '03b-pinned.png') });

    // Ada (no push for pins) sees it once she opens the panel.
    await ada.page.getByRole('button', { name: /Pinned/ }).click();
    await ada.page.getByRole('list', { name: 'Pinned messages' }).locator('li', { hasText: 'anyone in random?' }).waitFor(WAIT);

    // Bob searches from #random for a word Ada sent in #general: the result opens #general.
    const word = `zebra${system.run.slice(3, 9)}`;
    await channelButton(ada.page, 'general').click();
    await send(ada.page, `the ${word} crossed`);
    await expectMessage(ada.page, word);
    await bob.page.getByLabel('Search messages').fill(word.toUpperCase());
    await bob.page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = bob.page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: new RegExp(`general.*Ada.*the ${word} crossed`) });
    await hit.locator('mark', { hasText: word }).waitFor(WAIT);
    await bob.page.screenshot({ path: join(SCREENSHOTS, '03c-search.png') });
    await hit.click();
    await bob.page.getByRole('heading', { name: '# general' }).waitFor(WAIT);
    await expectMessage(bob.page, word);

    // No match: an empty result, said as such.
    await bob.page.getByLabel('Search messages').fill(`nothing${system.run.slice(3, 9)}xyz`);
    await bob.page.getByRole('button', { name: 'Search', exact: true }).click();
    await bob.page.getByText('No messages match.').waitFor(WAIT);
    await bob.page.getByRole('button', { name: 'Close search' }).click();
    await channelButton(bob.page, 'random').click();
    await bob.page.getByRole('heading', { name: '# random' }).waitFor(WAIT);
    await channelButton(ada.page, 'random').click();
    await ada.page.getByRole('heading', { name: '# random' }).waitFor(WAIT);
  });

  it('kills the gateway under one user and restarts it: reconnecting, then the messages sent meanwhile exactly once', async () => {
    const sticky = (await ada.context.cookies()).find((c) => c.name === 'chat-gw');
    expect(sticky).toBeDefined();
    const index = Number(sticky?.value);
    const gateway = system.gateway(index);
    expect(gateway.pid).not.toBeNull();

    // Ada goes offline first, so nothing can reach her until the gateway is back: the messages
    // below are certainly sent while she is disconnected.
    await ada.context.setOffline(true);
    process.kill(gateway.pid as number, 'SIGKILL');
    await ada.page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor(WAIT);
    await ada.page.screenshot({ path: join(SCREENSHOTS, '04-reconnecting.png') });

    const meanwhile = ['while away one', 'while away two', 'while away three'];
    for (const text of meanwhile) {
      await send(bob.page, text);
      await expectMessage(bob.page, text);
    }
    await system.gatewayRestarted(index, gateway.pid as number);
    await ada.context.setOffline(false);

    await ada.page.getByText('Reconnecting…').waitFor({ state: 'detached', ...WAIT });
    for (const text of meanwhile) await expectMessage(ada.page, text);
    // A barrier after them: once it shows, anything duplicated before it would show too.
    await send(bob.page, 'after the restart');
    await expectMessage(ada.page, 'after the restart');
    for (const text of meanwhile) expect(await log(ada.page).locator('.message .text', { hasText: text }).count()).toBe(1);
    const seqs = await Promise.all((await log(ada.page).locator('.message[data-seq]').all()).map(async (m) => Number(await m.getAttribute('data-seq'))));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('is usable at phone width and stays signed in across a reload', async () => {
    const phone = await ada.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(system.url);
    await channelButton(phone, 'random').click();
    await phone.getByRole('heading', { name: '# random' }).waitFor(WAIT);
    await expectMessage(phone, 'after the restart');
    await phone.screenshot({ path: join(SCREENSHOTS, '05-phone.png') });
    await phone.getByRole('button', { name: 'Show channels' }).click();
    await channelButton(phone, 'general').waitFor(WAIT);
    await phone.close();
  });

  it('shows the other user typing and their presence dot change', async () => {
    await channelButton(ada.page, 'random').click();
    await channelButton(bob.page, 'random').click();
    await composer(ada.page).pressSequentially('I am typ', { delay: 50 });
    await bob.page.getByText('Ada is typing…').waitFor(WAIT);
    await bob.page.screenshot({ path: join(SCREENSHOTS, '06-typing.png') });

    const adaDot = bob.page.locator('.run', { has: bob.page.locator('.sender', { hasText: 'Ada' }) }).first().locator('[data-presence]');
    await bob.page.locator('.run .sender', { hasText: 'Ada' }).first().waitFor(WAIT);
    await adaDot.and(bob.page.locator('[data-presence="online"]')).waitFor(WAIT);
    await ada.context.close();
    // Offline follows the 5 s reconnect grace; should the browser's socket close not reach the
    // gateway through the front door, Socket.IO's ping timeout (25 s + 20 s) ends the session, so
    // this wait allows for that on a loaded machine.
    await adaDot.and(bob.page.locator('[data-presence="offline"]')).waitFor({ timeout: 120_000 });
  });
});
