import { type DynamicModule, Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { ReadinessRegistry } from '@chat/service-kit';
import { ensureDatabase } from './database';
import { migrate, readMigrations } from './migrations';

export interface PostgresOptions {
  url: string;
  migrationsDir: string;
  poolSize?: number;
}

/** The service's pool; repositories inject it and keep their SQL to themselves. */
export const PG_POOL = Symbol('PG_POOL');

class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Global()
@Module({})
export class PostgresModule {
  static forRoot(options: PostgresOptions): DynamicModule {
    return {
      module: PostgresModule,
      providers: [
        {
          provide: PG_POOL,
          inject: [ReadinessRegistry],
          useFactory: async (readiness: ReadinessRegistry): Promise<Pool> => {
            const logger = new Logger('Postgres');
            await ensureDatabase(options.url);
            const pool = new Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 2_000 });
            // An idle client losing its server must not crash the process; the pool replaces it.
            pool.on('error', (error) => logger.warn(`idle client error: ${error.message}`));
            const applied = await migrate(pool, readMigrations(options.migrationsDir));
            if (applied.length) logger.log(`applied migrations ${applied.join(', ')}`);
            readiness.register({ name: 'postgres', check: async () => void (await pool.query('SELECT 1')) });
            return pool;
          },
        },
        PoolCloser,
      ],
      exports: [PG_POOL],
    };
  }
}
