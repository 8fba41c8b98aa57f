// Projects chat.user.registered.v1 into the users tables (group `<MESSAGING_CONSUMER_GROUP>.users`).
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UserRegisteredTopic } from '@chat/contracts';
import { type ConsumerHandle, BusConsumers } from '@chat/kafka';
import { APP_CONFIG } from '@chat/service-kit';
import { type MessagingConfig } from '../config';
import { UsersService } from './users.service';

@Injectable()
export class UserRegisteredConsumer implements OnApplicationBootstrap {
  private handle: ConsumerHandle | undefined;

  constructor(
    private readonly consumers: BusConsumers,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: MessagingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.consumers.consume({
      groupId: `${this.config.MESSAGING_CONSUMER_GROUP}.users`,
      topics: [UserRegisteredTopic],
      fromBeginning: this.config.MESSAGING_CONSUME_FROM_BEGINNING,
      partitionsConsumedConcurrently: UserRegisteredTopic.partitions,
      handler: (record) => this.users.project(record.value),
    });
  }

  ready(): Promise<void> {
    return this.handle ? this.handle.ready : Promise.reject(new Error('the user.registered consumer has not started'));
  }
}
