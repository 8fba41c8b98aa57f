// Edits, deletes and reactions against a message row that keeps, like Cassandra, the cell with the
// highest write time: a command replayed late (a deposed owner waking up) loses to every later
// command of the channel, whatever order the writes land in.
import { type ChannelCommand, type Message } from '@chat/contracts';
import { FixedClock, testId } from '../testing/fakes';
import { changeWriteTime } from './change-write-time';
import { type MessageLocator } from './message-locator';
import { MessageChanges } from './message-changes.service';
import { type MessageRow, type MessageUpdatesRepository } from './message-updates.repository';

type CommandOf<T extends ChannelCommand['type']> = Extract<ChannelCommand, { type: T }>;

const author = testId(1);
const channelId = testId(2);
const createdAt = '2025-01-01T00:00:00.000Z';
const row: MessageRow = { channelId, bucket: 0, seq: 1 };

interface Cell<T> {
  value: T;
  at: bigint;
}

/** One message row, last write (by write time) wins per cell, as Cassandra does. */
class LastWriteWinsRow {
  text: Cell<string> = { value: 'original', at: BigInt(Date.parse(createdAt)) * 1000n };
  deleted: Cell<boolean> = { value: false, at: 0n };
  readonly reactions = new Map<string, Cell<boolean>>();

  private static put<T>(cell: Cell<T>, value: T, at: bigint): Cell<T> {
    return at >= cell.at ? { value, at } : cell;
  }

  edit(text: string, at: bigint): void {
    this.text = LastWriteWinsRow.put(this.text, text, at);
  }

  tombstone(at: bigint): void {
    this.text = LastWriteWinsRow.put(this.text, '', at);
    this.deleted = LastWriteWinsRow.put(this.deleted, true, at);
    for (const [cell, value] of this.reactions) this.reactions.set(cell, LastWriteWinsRow.put(value, false, at));
  }

  react(cell: string, present: boolean, at: bigint): void {
    this.reactions.set(cell, LastWriteWinsRow.put(this.reactions.get(cell) ?? { value: false, at: 0n }, present, at));
  }

  message(): Message {
    const cells = [...this.reactions].filter(([, c]) => c.value).map(([cell]) => cell);
    const reactions = cells.map((cell) => ({ emoji: cell.split(' ')[0] ?? '', count: 1, userIds: [cell.split(' ')[1] ?? ''] }));
    return {
      id: testId(3),
      channelId,
      seq: 1,
      senderId: author,
      clientMsgId: testId(4),
      text: this.text.value,
      createdAt,
      ...(this.deleted.value ? { deleted: true } : {}),
      ...(reactions.length ? { reactions } : {}),
    };
  }
}

function setup() {
  const stored = new LastWriteWinsRow();
  let stale: Message | undefined;
  const locator = {
    forMember: () => Promise.resolve({ channel: { id: channelId, workspaceId: testId(5) }, message: stale ?? stored.message(), row }),
    reread: () => Promise.resolve(stored.message()),
  };
  const updates: Pick<MessageUpdatesRepository, 'edit' | 'tombstone' | 'addReaction' | 'removeReaction'> = {
    edit: (_row, text, _mentions, _editedAt, at) => Promise.resolve(stored.edit(text, at)),
    tombstone: (_row, at) => Promise.resolve(stored.tombstone(at)),
    addReaction: (_row, cell, at) => Promise.resolve(stored.react(cell, true, at)),
    removeReaction: (_row, cell, at) => Promise.resolve(stored.react(cell, false, at)),
  };
  const none = () => Promise.resolve(undefined);
  const changes = new MessageChanges(
    locator as unknown as MessageLocator,
    updates as MessageUpdatesRepository,
    { resolve: () => Promise.resolve({ userIds: [], channel: false }) } as never,
    { forget: none, record: none } as never,
    { addDeleted: none } as never,
    { addParticipants: none, onReplyDeleted: none } as never,
    { unpin: none } as never,
    { role: none } as never,
    { revoked: none } as never,
    new FixedClock(),
  );
  const base = { userId: author, issuedAt: createdAt };
  const edit = (text: string): CommandOf<'message.edit'> => ({ ...base, type: 'message.edit', commandId: testId(10 + text.length), payload: { channelId, messageId: testId(3), text } });
  const reaction = (type: 'reaction.add' | 'reaction.remove'): CommandOf<'reaction.add' | 'reaction.remove'> => ({ ...base, type, commandId: testId(20), payload: { channelId, messageId: testId(3), emoji: '👍' } });
  const remove: CommandOf<'message.delete'> = { ...base, type: 'message.delete', commandId: testId(30), payload: { channelId, messageId: testId(3) } };
  /** Makes the next reads answer this (an owner acting on what it read before it was paused). */
  const readAs = (message: Message): void => {
    stale = message;
  };
  return { stored, changes, edit, reaction, remove, readAs };
}

describe('changeWriteTime', () => {
  it("is above the message's own insert and follows the command's position", () => {
    const insert = BigInt(Date.parse(createdAt)) * 1000n;
    expect(changeWriteTime({ createdAt }, 0n)).toBeGreaterThan(insert);
    expect(changeWriteTime({ createdAt }, 41n)).toBeLessThan(changeWriteTime({ createdAt }, 42n));
    expect(() => changeWriteTime({ createdAt }, -1n)).toThrow(RangeError);
  });
});

describe('MessageChanges: a command replayed late loses to the later ones', () => {
  it('an old edit applied again after a newer one (a deposed owner waking up) does not win', async () => {
    const { stored, changes, edit } = setup();
    const older = edit('older edit');
    await changes.edit(older, 10n);
    await changes.edit(edit('newer edit, longer'), 11n);
    // The zombie's write of the older command lands last.
    await changes.edit(older, 10n);
    expect(stored.message().text).toBe('newer edit, longer');
  });

  it('an old edit that read the row before the delete and writes after it does not bring the text back', async () => {
    const { stored, changes, edit, remove, readAs } = setup();
    const before = stored.message();
    await changes.remove(remove, 6n);
    // The deposed owner read the row before the delete (still live), then slept, then writes.
    readAs(before);
    await changes.edit(edit('from the zombie'), 5n);
    expect(stored.message()).toMatchObject({ deleted: true, text: '' });
  });

  it('an old reaction add replayed after its removal does not resurrect it', async () => {
    const { stored, changes, reaction } = setup();
    await changes.react(reaction('reaction.add'), 20n);
    await changes.react(reaction('reaction.remove'), 21n);
    await changes.react(reaction('reaction.add'), 20n);
    expect(stored.message().reactions).toBeUndefined();
    await changes.react(reaction('reaction.add'), 22n);
    expect(stored.message().reactions).toEqual([{ emoji: '👍', count: 1, userIds: [author] }]);
  });
});
