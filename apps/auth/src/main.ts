import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule } from './app.module';
import { AuthConfigSchema } from './config';

const config = loadConfig(AuthConfigSchema);
const identity = serviceIdentity('auth', config.INSTANCE_ID);
void bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
