import { parseMentions } from './mention-parser';

describe('parseMentions', () => {
  it('finds @usernames ignoring case and trailing dots, once each', () => {
    expect(parseMentions('hi @Alice, @bob. and @alice again')).toEqual({ usernames: ['alice', 'bob'], channel: false });
  });

  it('treats @channel, @here and @everyone as a channel mention', () => {
    expect(parseMentions('@here standup').channel).toBe(true);
    expect(parseMentions('ping @everyone').channel).toBe(true);
    expect(parseMentions('@channel').usernames).toEqual([]);
  });

  it('ignores e-mail addresses, lone @ and names shorter than a username', () => {
    expect(parseMentions('mail me at a@example.com or @ or @ab')).toEqual({ usernames: [], channel: false });
  });
});
