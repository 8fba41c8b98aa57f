import { isLocalUrl, newestPostgresVersion, redactUrl, redisServerArgs } from './system-services';

describe('newestPostgresVersion', () => {
  it('picks the highest numeric cluster version', () => {
    expect(newestPostgresVersion(['9.6', '15', '13'])).toBe('15');
    expect(newestPostgresVersion(['README', '16'])).toBe('16');
    expect(newestPostgresVersion([])).toBeUndefined();
  });
});

describe('isLocalUrl', () => {
  it('accepts loopback hosts only', () => {
    expect(isLocalUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe(true);
    expect(isLocalUrl('redis://localhost:6379')).toBe(true);
    expect(isLocalUrl('redis://[::1]:6379')).toBe(true);
    expect(isLocalUrl('postgres://db.example.com/x')).toBe(false);
    expect(isLocalUrl('not a url')).toBe(false);
  });
});

describe('redactUrl', () => {
  it('masks passwords and keeps the rest', () => {
    expect(redactUrl('postgres://u:secret@127.0.0.1:5432/db')).toBe('postgres://u:***@127.0.0.1:5432/db');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('redisServerArgs', () => {
  it('daemonizes on loopback without persistence', () => {
    const args = redisServerArgs('6380');
    expect(args.slice(args.indexOf('--port'), args.indexOf('--port') + 2)).toEqual(['--port', '6380']);
    expect(args.slice(args.indexOf('--save'), args.indexOf('--save') + 2)).toEqual(['--save', '']);
    expect(args).toEqual(expect.arrayContaining(['--daemonize', 'yes', '--appendonly', 'no']));
  });
});
