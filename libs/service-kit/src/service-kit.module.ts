// Everything a service has from day one: its typed config, structured logs, health, metrics and
// the protocol's error bodies.
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type BaseConfig } from './config';
import { HealthModule } from './health';
import { ErrorFilter } from './http';
import { loggerModule } from './logging';
import { MetricsModule } from './metrics';
import { SERVICE_IDENTITY, type ServiceIdentity } from './service-identity';

@Global()
@Module({})
export class ServiceKitModule {
  static forRoot(identity: ServiceIdentity, config: BaseConfig): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [loggerModule(identity.service, identity.instanceId, config), HealthModule, MetricsModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: identity },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
      exports: [APP_CONFIG, SERVICE_IDENTITY],
    };
  }
}
