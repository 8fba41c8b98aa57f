// Configuration is read once, from the environment, validated against a schema whose keys are
// the variable names; a bad start exits naming every missing or malformed variable.
import { type z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Engine credentials given by halves: [variable, the one it needs, whether the second needs the
 * first too]. A Redis password alone is valid (the `default` user's password); the others are not.
 */
const CREDENTIAL_PAIRS: readonly (readonly [string, string, boolean])[] = [
  ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', true],
  ['CASSANDRA_USERNAME', 'CASSANDRA_PASSWORD', true],
  ['REDIS_USERNAME', 'REDIS_PASSWORD', false],
  ['RABBITMQ_USERNAME', 'RABBITMQ_PASSWORD', true],
];

function credentialProblems(schema: z.ZodObject, present: Record<string, string | undefined>): string[] {
  return CREDENTIAL_PAIRS.filter(([first]) => first in schema.shape).flatMap(([first, second, both]) => {
    if (present[first] !== undefined && present[second] === undefined) return [`${second}: must be set with ${first} (not set)`];
    if (both && present[second] !== undefined && present[first] === undefined) return [`${first}: must be set with ${second} (not set)`];
    return [];
  });
}

/** Parses `env` with `schema`; throws a ConfigError listing every bad variable. */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  // Empty strings count as unset, the way shells and compose files write "not given".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  const halves = credentialProblems(schema, present);
  if (result.success && halves.length === 0) return result.data;
  const problems = (result.success ? [] : result.error.issues).map((issue) => {
    const name = issue.path.length ? String(issue.path[0]) : '(environment)';
    const given = typeof issue.path[0] === 'string' ? present[issue.path[0]] : undefined;
    return given === undefined ? `${name}: ${issue.message} (not set)` : `${name}: ${issue.message} (got ${JSON.stringify(given)})`;
  });
  throw new ConfigError([...problems, ...halves]);
}

/** parseConfig for a process's start: on failure prints the problems and exits with status 1. */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
