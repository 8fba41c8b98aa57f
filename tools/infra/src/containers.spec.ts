import { testEngineMode } from './containers';

describe('testEngineMode (CHAT_TEST_ENGINES)', () => {
  const docker = (answers: boolean) => jest.fn(() => answers);

  it('follows CHAT_TEST_ENGINES when set, without asking Docker', () => {
    const probe = docker(true);
    expect(testEngineMode({ CHAT_TEST_ENGINES: 'processes' }, probe)).toBe('processes');
    expect(testEngineMode({ CHAT_TEST_ENGINES: ' containers ' }, probe)).toBe('containers');
    expect(probe).not.toHaveBeenCalled();
  });

  it('defaults to containers where a Docker daemon answers, else to the local processes', () => {
    expect(testEngineMode({}, docker(true))).toBe('containers');
    expect(testEngineMode({ CHAT_TEST_ENGINES: '' }, docker(false))).toBe('processes');
  });

  it('refuses any other value, naming it', () => {
    expect(() => testEngineMode({ CHAT_TEST_ENGINES: 'docker' }, docker(true))).toThrow("CHAT_TEST_ENGINES must be containers or processes, not 'docker'");
  });
});
