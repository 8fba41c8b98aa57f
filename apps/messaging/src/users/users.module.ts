// users/: the projection of chat.user.registered.v1 and the users routes.
import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { UserRegisteredConsumer } from './user-registered.consumer';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [CommonModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, UserRegisteredConsumer],
  exports: [UsersRepository, UsersService, UserRegisteredConsumer],
})
export class UsersModule {}
