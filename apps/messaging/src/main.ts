import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule } from './app.module';
import { MessagingConfigSchema } from './config';

const config = loadConfig(MessagingConfigSchema);
const identity = serviceIdentity('messaging', config.INSTANCE_ID);
void bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
