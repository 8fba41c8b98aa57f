import { LOCAL_CASSANDRA_SUPERUSER } from '@chat/testing/local-cassandra';
import { CASSANDRA_SUPERUSER, DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, KAFKA_BROKERS, LOCAL_ENGINES, S3_ENDPOINT, postgresUrl, redisUrl, testEngines } from './endpoints';

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

  it('testEngines: the local engines, or those the environment names (the integration tier in containers)', () => {
    expect(testEngines({})).toEqual({ ...LOCAL_ENGINES, redisUrl: DEFAULT_REDIS_URL });
    const env = {
      KAFKA_BROKERS: '127.0.0.1:40001, 127.0.0.1:40002',
      CASSANDRA_CONTACT_POINTS: '127.0.0.1:40003',
      S3_ENDPOINT: 'http://127.0.0.1:40004',
      POSTGRES_URL: 'postgres://postgres@127.0.0.1:40005/postgres',
      REDIS_URL: 'redis://127.0.0.1:40006',
    };
    expect(testEngines(env)).toEqual({
      kafkaBrokers: ['127.0.0.1:40001', '127.0.0.1:40002'],
      cassandra: { contactPoints: ['127.0.0.1:40003'], localDataCenter: 'datacenter1', credentials: CASSANDRA_SUPERUSER },
      s3: { ...LOCAL_ENGINES.s3, endpoint: 'http://127.0.0.1:40004' },
      postgresUrl: 'postgres://postgres@127.0.0.1:40005/postgres',
      redisUrl: 'redis://127.0.0.1:40006',
    });
  });

  it('testEngines: Cassandra as the local superuser, or as CASSANDRA_USERNAME/PASSWORD when both are set', () => {
    expect(LOCAL_ENGINES.cassandra.credentials).toEqual({ username: 'cassandra', password: CASSANDRA_SUPERUSER.password });
    expect(CASSANDRA_SUPERUSER.password).not.toBe('cassandra');
    // The libraries' test set-ups read the same login from @chat/testing (they may not import tools).
    expect(LOCAL_CASSANDRA_SUPERUSER).toEqual(CASSANDRA_SUPERUSER);
    expect(testEngines({ CASSANDRA_USERNAME: 'admin', CASSANDRA_PASSWORD: 'secret' }).cassandra.credentials).toEqual({ username: 'admin', password: 'secret' });
    expect(testEngines({ CASSANDRA_USERNAME: 'admin' }).cassandra.credentials).toEqual(CASSANDRA_SUPERUSER);
  });
});
