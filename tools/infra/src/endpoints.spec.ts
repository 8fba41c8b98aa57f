import { DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, KAFKA_BROKERS, S3_ENDPOINT, postgresUrl, redisUrl } from './endpoints';

describe('endpoints', () => {
  it('uses the fixed local ports (S3 on 9000, not the 8080 web origin)', () => {
    expect(KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(S3_ENDPOINT).toBe('http://127.0.0.1:9000');
  });

  it('lets POSTGRES_URL / REDIS_URL override the defaults', () => {
    expect(postgresUrl({})).toBe(DEFAULT_POSTGRES_URL);
    expect(redisUrl({ REDIS_URL: '' })).toBe(DEFAULT_REDIS_URL);
    expect(postgresUrl({ POSTGRES_URL: 'postgres://u@db:5433/x' })).toBe('postgres://u@db:5433/x');
    expect(redisUrl({ REDIS_URL: 'redis://r:6380' })).toBe('redis://r:6380');
  });
});
