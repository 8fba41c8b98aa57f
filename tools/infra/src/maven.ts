import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type InfraLayout, type ManagedEngine, displayPath } from './layout';
import { lastLines } from './log-file';
import { type RunResult, runToCompletion } from './process';

export interface ClasspathFiles {
  /** `.infra/classpath/<engine>.txt`: the jar list written by dependency:build-classpath. */
  readonly classpathFile: string;
  /** `.infra/classpath/<engine>.pom.sha256`: hash of the pom the list was resolved from. */
  readonly stampFile: string;
}

export function classpathFiles(layout: InfraLayout, engine: ManagedEngine): ClasspathFiles {
  return {
    classpathFile: path.join(layout.classpathDir, `${engine}.txt`),
    stampFile: path.join(layout.classpathDir, `${engine}.pom.sha256`),
  };
}

export function parseClasspath(text: string, delimiter: string = path.delimiter): string[] {
  return text
    .split(delimiter)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export type CacheCheck = { readonly valid: true; readonly jars: string[] } | { readonly valid: false; readonly reason: string };

export interface CacheInputs {
  /** Content of the classpath file, undefined when missing. */
  readonly classpathText: string | undefined;
  /** Content of the stamp file, undefined when missing. */
  readonly stamp: string | undefined;
  /** Hash of the current pom. */
  readonly pomHash: string;
  readonly exists: (file: string) => Promise<boolean>;
}

/** The cached classpath is usable when it exists, was resolved from this exact pom and all its jars are still there. */
export async function checkClasspathCache(inputs: CacheInputs): Promise<CacheCheck> {
  if (inputs.classpathText === undefined) return { valid: false, reason: 'no cached classpath' };
  if (inputs.stamp?.trim() !== inputs.pomHash) return { valid: false, reason: 'pom changed since last resolution' };
  const jars = parseClasspath(inputs.classpathText);
  if (jars.length === 0) return { valid: false, reason: 'cached classpath is empty' };
  const present = await Promise.all(jars.map((jar) => inputs.exists(jar)));
  const missing = jars.filter((_, i) => !present[i]);
  if (missing.length > 0) return { valid: false, reason: `${missing.length} jar(s) missing from the local Maven repository, e.g. ${missing[0]}` };
  return { valid: true, jars };
}

export interface ResolveOptions {
  readonly engine: ManagedEngine;
  readonly pomFile: string;
  readonly layout: InfraLayout;
  readonly approxDownloadMb: number;
  readonly say: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** Classpath of an engine: from the cache when valid (no Maven, works offline), else resolved with Maven. */
export async function resolveClasspath(options: ResolveOptions): Promise<string[]> {
  const { classpathFile, stampFile } = classpathFiles(options.layout, options.engine);
  const pomHash = sha256(await readFile(options.pomFile));
  const cached = await checkClasspathCache({
    classpathText: await readIfExists(classpathFile),
    stamp: await readIfExists(stampFile),
    pomHash,
    exists: fileExists,
  });
  if (cached.valid) return cached.jars;

  await mkdir(options.layout.classpathDir, { recursive: true });
  const logFile = path.join(options.layout.logsDir, `maven-${options.engine}.log`);
  await rm(logFile, { force: true });
  const tmpFile = `${classpathFile}.tmp`;
  const started = Date.now();

  // Offline first: when the jars are already in ~/.m2 (another checkout, a deleted .infra) this
  // takes seconds instead of re-checking remote metadata. Online only if something is missing.
  options.say(`resolving the ${options.engine} classpath from the local Maven repository (${cached.reason})...`);
  let result = await runMaven(options, ['-o', ...mavenArgs(options.pomFile, tmpFile)], logFile, started);
  if (result.code !== 0) {
    options.say(`downloading ${options.engine} artifacts from Maven Central (first run only, ~${options.approxDownloadMb} MB)...`);
    result = await runMaven(options, mavenArgs(options.pomFile, tmpFile), logFile, started);
  }
  if (result.code !== 0) {
    const tail = lastLines(result.output, 40).join('\n');
    throw new Error(
      `Maven failed to resolve ${options.engine} (exit ${String(result.code ?? result.signal)}); full output in ${displayPath(logFile)}:\n${tail}`,
    );
  }
  const text = await readIfExists(tmpFile);
  const check = await checkClasspathCache({ classpathText: text, stamp: pomHash, pomHash, exists: fileExists });
  if (!check.valid) throw new Error(`Maven ran but the ${options.engine} classpath is unusable: ${check.reason}`);
  await rename(tmpFile, classpathFile);
  await writeFile(stampFile, `${pomHash}\n`);
  options.say(`resolved ${check.jars.length} jars in ${Math.round((Date.now() - started) / 1000)}s`);
  return check.jars;
}

async function runMaven(options: ResolveOptions, args: string[], logFile: string, started: number): Promise<RunResult> {
  const env = options.env ?? process.env;
  const mvn = env['MVN']?.trim() || 'mvn';
  const heartbeat = setInterval(() => {
    options.say(`still resolving ${options.engine} artifacts (${Math.round((Date.now() - started) / 1000)}s)...`);
  }, 15_000);
  try {
    return await runToCompletion(mvn, args, { env, logFile });
  } catch (error) {
    throw new Error(`cannot run Maven (${mvn}): ${(error as Error).message}. Install Maven 3.8+ (apt-get install maven) or set MVN to its path.`);
  } finally {
    clearInterval(heartbeat);
  }
}

export function mavenArgs(pomFile: string, outputFile: string): string[] {
  return [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pomFile,
    // maven-dependency-plugin's version is pinned in each pom's pluginManagement.
    'dependency:build-classpath',
    `-Dmdep.outputFile=${outputFile}`,
    '-Dmdep.includeScope=runtime',
  ];
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** `<properties><name>value</name>` of a pom (used to show engine versions without repeating them). */
export function pomProperty(pomText: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`<${escaped}>\\s*([^<\\s]+)\\s*</${escaped}>`).exec(pomText)?.[1];
}

/** Version property of an engine pom, or "?" when unreadable. */
export function pomVersion(pomFile: string, property: string): string {
  try {
    return pomProperty(readFileSync(pomFile, 'utf8'), property) ?? '?';
  } catch {
    return '?';
  }
}
