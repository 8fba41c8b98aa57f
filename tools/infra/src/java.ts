import * as path from 'node:path';
import { runToCompletion } from './process';

/** `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  const home = env['JAVA_HOME']?.trim();
  return home ? path.join(home, 'bin', 'java') : 'java';
}

/** Major version from `java -version` output (`openjdk version "17.0.15"`, `"1.8.0_392"`). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

let checked: Promise<string> | undefined;

/** Verifies once that Java 17+ is available; resolves to a short description. */
export function ensureJava17(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  checked ??= (async () => {
    const command = javaCommand(env);
    let output: string;
    try {
      output = (await runToCompletion(command, ['-version'], { env })).output;
    } catch {
      throw new Error(`Java not found (${command}). Install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`);
    }
    const major = parseJavaMajor(output);
    if (major === undefined || major < 17) {
      throw new Error(`Java 17+ is required (Kafka 4 and Cassandra 5 on JDK 17); ${command} reports: ${output.split('\n')[0] ?? '?'}`);
    }
    return output.split('\n')[0]?.trim() ?? `java ${major}`;
  })();
  return checked;
}

/**
 * Renders JVM arguments as a Java @argfile (`java @file Main`): one argument per line, quoted
 * when needed. Keeps `ps` readable despite a 100-jar classpath.
 */
export function renderArgFile(args: readonly string[]): string {
  return args.map(quoteArg).join('\n') + '\n';
}

function quoteArg(arg: string): string {
  if (arg !== '' && !/[\s"'\\#]/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The first classpath entry whose file name starts with `<artifactId>-` (e.g. the jamm agent jar). */
export function findJar(classpath: readonly string[], artifactId: string): string | undefined {
  return classpath.find((entry) => {
    const name = path.basename(entry);
    return name.startsWith(`${artifactId}-`) && name.endsWith('.jar');
  });
}
