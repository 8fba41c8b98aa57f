import { checkClasspathCache, mavenArgs, parseClasspath, pomProperty, sha256 } from './maven';

describe('parseClasspath', () => {
  it('splits on the delimiter and drops blanks and whitespace', () => {
    expect(parseClasspath('/a/x.jar:/b/y.jar\n', ':')).toEqual(['/a/x.jar', '/b/y.jar']);
    expect(parseClasspath('', ':')).toEqual([]);
    expect(parseClasspath('::/a.jar::', ':')).toEqual(['/a.jar']);
  });
});

describe('checkClasspathCache', () => {
  const pomHash = sha256('<project/>');
  const exists = (present: string[]) => (file: string) => Promise.resolve(present.includes(file));

  it('is valid when the pom hash matches and every jar exists', async () => {
    const check = await checkClasspathCache({ classpathText: '/m2/a.jar:/m2/b.jar', stamp: `${pomHash}\n`, pomHash, exists: exists(['/m2/a.jar', '/m2/b.jar']) });
    expect(check).toEqual({ valid: true, jars: ['/m2/a.jar', '/m2/b.jar'] });
  });

  it('is invalid without a cached classpath', async () => {
    const check = await checkClasspathCache({ classpathText: undefined, stamp: pomHash, pomHash, exists: exists([]) });
    expect(check).toEqual({ valid: false, reason: 'no cached classpath' });
  });

  it('is invalid when the pom changed (or the stamp is missing)', async () => {
    const changed = await checkClasspathCache({ classpathText: '/m2/a.jar', stamp: sha256('old'), pomHash, exists: exists(['/m2/a.jar']) });
    const unstamped = await checkClasspathCache({ classpathText: '/m2/a.jar', stamp: undefined, pomHash, exists: exists(['/m2/a.jar']) });
    expect(changed.valid).toBe(false);
    expect(unstamped.valid).toBe(false);
  });

  it('is invalid when a jar was removed from the local repository', async () => {
    const check = await checkClasspathCache({ classpathText: '/m2/a.jar:/m2/b.jar', stamp: pomHash, pomHash, exists: exists(['/m2/a.jar']) });
    expect(check.valid).toBe(false);
    if (!check.valid) expect(check.reason).toContain('/m2/b.jar');
  });

  it('is invalid when the list is empty', async () => {
    const check = await checkClasspathCache({ classpathText: '\n', stamp: pomHash, pomHash, exists: exists([]) });
    expect(check.valid).toBe(false);
  });
});

describe('pomProperty', () => {
  const pom = '<project><properties>\n  <kafka.version>4.4.0</kafka.version>\n  <x>  a  </x></properties></project>';

  it('reads a property, with dots in its name', () => {
    expect(pomProperty(pom, 'kafka.version')).toBe('4.4.0');
    expect(pomProperty(pom, 'x')).toBe('a');
  });

  it('does not treat the dot as a wildcard', () => {
    expect(pomProperty(pom, 'kafkaXversion')).toBeUndefined();
  });
});

describe('mavenArgs', () => {
  it('runs build-classpath quietly, in batch mode, runtime scope, into the given file', () => {
    const args = mavenArgs('/repo/tools/infra/maven/kafka/pom.xml', '/repo/.infra/classpath/kafka.txt.tmp');
    expect(args).toEqual(expect.arrayContaining(['-q', '-B', 'dependency:build-classpath', '-Dmdep.includeScope=runtime']));
    expect(args).toContain('-Dmdep.outputFile=/repo/.infra/classpath/kafka.txt.tmp');
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 2)).toEqual(['-f', '/repo/tools/infra/maven/kafka/pom.xml']);
  });
});
