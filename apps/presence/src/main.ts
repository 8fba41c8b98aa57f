import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule } from './app.module';
import { PresenceConfigSchema } from './config';

const config = loadConfig(PresenceConfigSchema);
const identity = serviceIdentity('presence', config.INSTANCE_ID);
void bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
