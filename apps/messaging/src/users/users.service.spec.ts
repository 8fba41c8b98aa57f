import { UsersQuerySchema } from '@chat/contracts';
import { type UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { FakeUsersRepository, FixedClock, testId } from '../testing/fakes';

describe('UsersService.find (GET /api/users)', () => {
  const repository = new FakeUsersRepository();
  const service = new UsersService(repository as unknown as UsersRepository, new FixedClock(), { USER_PROJECTION_WAIT_MS: 0 });
  const ada = { id: testId(1), username: 'ada', displayName: 'Ada', createdAt: '2025-01-01T00:00:00.000Z' };
  const bob = { id: testId(2), username: 'bob', displayName: 'Bob', createdAt: '2025-01-01T00:00:00.000Z' };

  beforeAll(async () => {
    await repository.upsert(ada);
    await repository.upsert(bob);
  });

  it('answers the known users among the ids, once each, leaving unknown ids out', async () => {
    const query = UsersQuerySchema.parse({ ids: `${ada.id},${testId(9)},${bob.id},${ada.id}` });
    expect(await service.find(query)).toEqual([ada, bob]);
  });

  it('finds one user by username, case-insensitively, and nobody for an unknown name', async () => {
    expect(await service.find(UsersQuerySchema.parse({ username: 'ADA' }))).toEqual([ada]);
    expect(await service.find(UsersQuerySchema.parse({ username: 'nobody' }))).toEqual([]);
  });

  it('refuses malformed queries (the route answers invalid)', () => {
    expect(UsersQuerySchema.safeParse({}).success).toBe(false);
    expect(UsersQuerySchema.safeParse({ ids: 'not-a-uuid' }).success).toBe(false);
    expect(UsersQuerySchema.safeParse({ ids: ada.id, username: 'ada' }).success).toBe(false);
  });
});
