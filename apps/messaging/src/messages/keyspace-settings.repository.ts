// Settings fixed for the life of the keyspace. The first instance to start records its value; a
// later one configured differently refuses to start instead of silently misreading the data.
// Also the record of one-time jobs on the keyspace's data (a claim, then compare-and-set steps).
import { Injectable } from '@nestjs/common';
import { CassandraClient, defineStatements } from '@chat/cassandra';

const CQL = defineStatements({
  claim: 'INSERT INTO keyspace_settings (name, value) VALUES (?, ?) IF NOT EXISTS',
  replace: 'UPDATE keyspace_settings SET value = ? WHERE name = ? IF value = ?',
});

@Injectable()
export class KeyspaceSettingsRepository {
  constructor(private readonly db: CassandraClient) {}

  /** Records `value` unless the setting exists; returns the recorded value either way. */
  async claim(name: string, value: string): Promise<string> {
    const result = await this.db.execute(CQL.claim, [name, value]);
    return result.applied ? value : String(result.rows[0]?.value);
  }

  /** Sets the value to `next` if it is still `current`; false when someone else changed it first. */
  async replace(name: string, current: string, next: string): Promise<boolean> {
    const result = await this.db.execute(CQL.replace, [next, name, current]);
    return result.applied;
  }
}

/** The configured bucket size, checked against the one recorded in the keyspace. */
export async function fixedBucketSize(settings: KeyspaceSettingsRepository, configured: number): Promise<number> {
  const recorded = await settings.claim('message_bucket_size', String(configured));
  if (recorded !== String(configured)) {
    throw new Error(`MESSAGE_BUCKET_SIZE is ${configured} but this keyspace was created with ${recorded}; it can never change for a keyspace`);
  }
  return configured;
}
