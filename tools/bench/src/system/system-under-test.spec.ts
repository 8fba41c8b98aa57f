import { instanceNames } from './system-under-test';

describe('instanceNames', () => {
  it('keeps the service\'s own name for one instance and numbers several from 1', () => {
    expect(instanceNames('gateway', 1)).toEqual(['gateway']);
    expect(instanceNames('messaging', 2)).toEqual(['messaging-1', 'messaging-2']);
  });
});
