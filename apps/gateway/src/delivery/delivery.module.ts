// Kafka events to local sockets: one broadcast consumer of the delivery topics per instance.
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { BusConsumers } from '@chat/kafka';
import { CommandsModule } from '../commands/commands.module';
import { BroadcastSubscription } from '../kafka/broadcast-subscription';
import { SocketModule } from '../socket/socket.module';
import { Delivery, DELIVERY_TOPICS } from './delivery.service';

@Injectable()
class DeliveryConsumer implements OnApplicationBootstrap {
  private readonly subscription: BroadcastSubscription<(typeof DELIVERY_TOPICS)[number]>;

  constructor(consumers: BusConsumers, delivery: Delivery) {
    this.subscription = new BroadcastSubscription({ name: 'delivery', topics: DELIVERY_TOPICS, handler: { batch: delivery.handleAll } }, consumers);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.subscription.start();
  }
}

@Module({
  imports: [SocketModule, CommandsModule],
  providers: [Delivery, DeliveryConsumer],
})
export class DeliveryModule {}
