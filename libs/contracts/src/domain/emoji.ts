// Reaction emoji: one Unicode emoji (a single grapheme made of pictographs, with optional
// modifiers, variation selectors, ZWJ sequences, keycaps or a flag pair) or a `:shortcode:` from
// the fixed list below. Anything else is `invalid`, checked by the gateway and again by messaging.

/** The shortcodes a client may react with (the common Slack set). */
export const EMOJI_SHORTCODES = [
  '+1', '-1', 'thumbsup', 'thumbsdown', 'heart', 'smile', 'laughing', 'joy', 'tada', 'rocket',
  'eyes', 'fire', 'clap', 'pray', 'ok_hand', 'wave', 'thinking_face', 'white_check_mark',
  'heavy_check_mark', 'x', 'warning', 'star', 'sparkles', '100', 'raised_hands', 'muscle', 'sob',
  'cry', 'sweat_smile', 'slightly_smiling_face', 'wink', 'heart_eyes', 'sunglasses', 'party_popper',
  'bug', 'coffee', 'beers', 'point_up', 'zap', 'bulb', 'memo', 'question', 'exclamation',
] as const;

const SHORTCODES: ReadonlySet<string> = new Set(EMOJI_SHORTCODES);

// One emoji "unit": a pictograph (or keycap base, or regional-indicator pair) with its modifiers.
const EMOJI_UNIT = String.raw`(?:\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)`;
const EMOJI_RE = new RegExp(`^${EMOJI_UNIT}(?:\\u200D${EMOJI_UNIT})*$`, 'u');
const SHORTCODE_RE = /^:([a-z0-9_+-]{1,40}):$/;

export function isReactionEmoji(value: string): boolean {
  const shortcode = SHORTCODE_RE.exec(value);
  if (shortcode) return SHORTCODES.has(shortcode[1] ?? '');
  return value.length <= 32 && EMOJI_RE.test(value);
}
