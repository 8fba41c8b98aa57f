import { DEAD_LETTER_HEADERS, deadLetterHeaders, describeError } from './dead-letter';

describe('deadLetterHeaders', () => {
  it('keeps the original headers and names origin, reason, error and attempts', () => {
    const headers = deadLetterHeaders(
      {
        topic: 'chat.message.created.v1',
        partition: 4,
        message: { key: null, value: null, offset: '42', timestamp: '1700000000000', headers: { trace: 'abc' } },
        groupId: 'gateway',
        reason: 'handler-failed',
        error: 'Error: boom',
        attempts: 5,
      },
      new Date('2025-01-02T03:04:05.000Z'),
    );
    expect(headers).toEqual({
      trace: 'abc',
      [DEAD_LETTER_HEADERS.topic]: 'chat.message.created.v1',
      [DEAD_LETTER_HEADERS.partition]: '4',
      [DEAD_LETTER_HEADERS.offset]: '42',
      [DEAD_LETTER_HEADERS.timestamp]: '1700000000000',
      [DEAD_LETTER_HEADERS.groupId]: 'gateway',
      [DEAD_LETTER_HEADERS.reason]: 'handler-failed',
      [DEAD_LETTER_HEADERS.error]: 'Error: boom',
      [DEAD_LETTER_HEADERS.attempts]: '5',
      [DEAD_LETTER_HEADERS.failedAt]: '2025-01-02T03:04:05.000Z',
    });
  });
});

describe('describeError', () => {
  it('names the error class and truncates long messages', () => {
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(new Error('x'.repeat(5_000))).length).toBeLessThanOrEqual(1_001);
  });
});
