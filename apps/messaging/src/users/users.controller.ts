// Public profiles (id, username, display name) of projected users: clients name message senders
// and turn a username into the id a DM needs. A username that is not known answers an empty list.
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { type User, type UsersQuery, UsersQuerySchema } from '@chat/contracts';
import { AuthGuard } from '@chat/auth-client';
import { ZodValidationPipe } from '@chat/service-kit';
import { UsersService } from './users.service';

@Controller('api/users')
@UseGuards(AuthGuard)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  async find(@Query(new ZodValidationPipe(UsersQuerySchema)) query: UsersQuery): Promise<{ users: User[] }> {
    return { users: await this.users.find(query) };
  }
}
