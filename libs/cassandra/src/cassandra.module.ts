// Wires the service's Cassandra session. Global: import it once in the root module, after
// ServiceKitModule. Start-up creates the keyspace and applies pending migrations before the
// session opens, so nothing can use a CassandraClient against an out-of-date schema; the session
// closes in onApplicationShutdown, after consumers and the HTTP server have stopped.
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CASSANDRA_OPTIONS, type CassandraOptions, resolveCassandraOptions, type ResolvedCassandraOptions } from './cassandra.options';
import { CassandraClient } from './client/cassandra.client';
import { connectDriver, createDriverClient } from './client/driver-client';
import { CassandraReadinessCheck } from './health/cassandra.readiness';
import { runMigrations } from './migrations/migration.runner';

export interface CassandraModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => CassandraOptions | Promise<CassandraOptions>;
}

/** Migrates, then opens the keyspace-bound session. */
export async function openCassandra(options: ResolvedCassandraOptions): Promise<CassandraClient> {
  const logger = new Logger('Cassandra');
  const report = await runMigrations(options);
  logger.log(
    report.applied.length > 0
      ? `keyspace ${options.keyspace}: applied ${report.applied.join(', ')}`
      : `keyspace ${options.keyspace}: schema up to date (${report.alreadyApplied} migration(s))`,
  );
  const driver = createDriverClient(options, options.keyspace);
  try {
    await connectDriver(driver);
  } catch (error) {
    await driver.shutdown();
    throw error;
  }
  return new CassandraClient(driver, options.keyspace);
}

@Injectable()
class CassandraShutdown implements OnApplicationShutdown {
  constructor(@Inject(CassandraClient) private readonly client: CassandraClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.shutdown();
  }
}

const PROVIDERS: Provider[] = [
  { provide: CassandraClient, inject: [CASSANDRA_OPTIONS], useFactory: openCassandra },
  CassandraShutdown,
  CassandraReadinessCheck,
];

@Global()
@Module({})
export class CassandraModule {
  static forRoot(options: CassandraOptions): DynamicModule {
    return {
      module: CassandraModule,
      providers: [{ provide: CASSANDRA_OPTIONS, useValue: resolveCassandraOptions(options) }, ...PROVIDERS],
      exports: [CassandraClient],
    };
  }

  /** For options built from injected configuration, e.g. `inject: [APP_CONFIG]`. */
  static forRootAsync(options: CassandraModuleAsyncOptions): DynamicModule {
    return {
      module: CassandraModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: CASSANDRA_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => resolveCassandraOptions(await options.useFactory(...args)),
        },
        ...PROVIDERS,
      ],
      exports: [CassandraClient],
    };
  }
}
