import 'reflect-metadata';
import { bootstrapService, loadConfig, serviceIdentity } from '@chat/service-kit';
import { AppModule, attachGateway } from './app.module';
import { GatewayConfigSchema } from './config';

const config = loadConfig(GatewayConfigSchema);
const identity = serviceIdentity('gateway', config.INSTANCE_ID);
bootstrapService({ identity, config, module: AppModule.forRoot(identity, config), configure: attachGateway }).catch((error: unknown) => {
  // A start that fails half-way (say, Kafka unreachable while topics are ensured) must not leave a
  // process that looks alive but serves nothing.
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
