import { defineStatements } from './statements';

describe('defineStatements', () => {
  it('names statements, strips a trailing semicolon and treats SELECTs as idempotent', () => {
    const s = defineStatements({
      byId: 'SELECT * FROM messages WHERE channel_id = ? AND bucket = ?;',
      insert: 'INSERT INTO messages (channel_id, bucket, seq) VALUES (?, ?, ?)',
      upsert: { cql: 'UPDATE heads SET seq = ? WHERE channel_id = ?', idempotent: true, consistency: 'quorum' },
    });
    expect(s.byId).toEqual({ name: 'byId', cql: 'SELECT * FROM messages WHERE channel_id = ? AND bucket = ?', idempotent: true });
    expect(s.insert.idempotent).toBe(false);
    expect(s.upsert).toMatchObject({ idempotent: true, consistency: 'quorum' });
  });

  it('refuses an empty statement', () => {
    expect(() => defineStatements({ nothing: ' ; ' })).toThrow(/nothing/);
  });
});
