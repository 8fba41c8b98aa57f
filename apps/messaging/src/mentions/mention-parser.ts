// Finds `@username` and `@channel` (also `@here`, `@everyone`) in a message text. A mention starts
// at the beginning or after a character that cannot be part of a username, so `a@b.io` is no
// mention. Usernames are matched ignoring case; trailing dots are punctuation, not username.
export const CHANNEL_MENTION = 'channel';
const CHANNEL_ALIASES = new Set(['channel', 'here', 'everyone']);
const MENTION_RE = /(^|[^A-Za-z0-9._-])@([A-Za-z0-9._-]{1,32})/g;

export interface ParsedMentions {
  /** Lower-case usernames, distinct. */
  usernames: string[];
  channel: boolean;
}

export function parseMentions(text: string): ParsedMentions {
  const usernames = new Set<string>();
  let channel = false;
  for (const match of text.matchAll(MENTION_RE)) {
    const name = (match[2] ?? '').replace(/\.+$/, '').toLowerCase();
    if (CHANNEL_ALIASES.has(name)) channel = true;
    else if (name.length >= 3) usernames.add(name);
  }
  return { usernames: [...usernames], channel };
}
