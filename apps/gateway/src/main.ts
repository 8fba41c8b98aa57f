import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule } from './app.module';
import { GatewayConfigSchema } from './config';

const config = loadConfig(GatewayConfigSchema);
const identity = serviceIdentity('gateway', config.INSTANCE_ID);
void bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
