import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule } from './app.module';
import { FilesConfigSchema } from './config';

const config = loadConfig(FilesConfigSchema);
const identity = serviceIdentity('files', config.INSTANCE_ID);
void bootstrapService({ identity, config, module: AppModule.forRoot(identity, config) });
