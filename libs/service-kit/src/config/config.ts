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

/** Parses `env` with `schema`; throws a ConfigError listing every bad variable. */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Env): z.infer<S> {
  // Empty strings count as unset, the way shells and compose files write "not given".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length ? String(issue.path[0]) : '(environment)';
    const given = typeof issue.path[0] === 'string' ? present[issue.path[0]] : undefined;
    return given === undefined ? `${name}: ${issue.message} (not set)` : `${name}: ${issue.message} (got ${JSON.stringify(given)})`;
  });
  throw new ConfigError(problems);
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
