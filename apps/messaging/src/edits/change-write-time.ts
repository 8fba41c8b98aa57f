// The write time (USING TIMESTAMP, µs) of every change to a stored message: its edits (the row's
// search terms with them), its tombstone and its reactions. A change is stamped with the position of
// its command in the channel's partition of chat.channel.command.v1, on top of the message's own
// insert (stamped with its createdAt, MessagesRepository.storeAll):
//   createdAt µs + 1 + offset of the command
// so a later command of the channel always wins over an earlier one, whoever applies it and
// whenever its write lands. An owner deposed in the middle of a command (paused past its session
// timeout, then woken) writes with that command's position, which its successor has applied
// already (or will, in order, from the committed offset) before any later command: the zombie's
// write loses to everything its successor applied after it (docs/design/sequencer.md, "Changes").
import { type Message } from '@chat/contracts';
import { micros } from '../common/cql-values';

/** Where a change command is: its offset in its partition of chat.channel.command.v1. */
export type CommandPosition = bigint;

export function changeWriteTime(message: Pick<Message, 'createdAt'>, position: CommandPosition): bigint {
  if (position < 0n) throw new RangeError(`a command position is an offset, not ${position}`);
  return micros(new Date(message.createdAt)) + 1n + position;
}
