import { findJar, javaCommand, parseJavaMajor, renderArgFile } from './java';

describe('parseJavaMajor', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('nonsense')).toBeUndefined();
  });
});

describe('javaCommand', () => {
  it('prefers JAVA_HOME', () => {
    expect(javaCommand({ JAVA_HOME: '/usr/lib/jvm/java-17' })).toBe('/usr/lib/jvm/java-17/bin/java');
    expect(javaCommand({})).toBe('java');
  });
});

describe('renderArgFile', () => {
  it('writes one argument per line, quoting only when needed', () => {
    expect(renderArgFile(['-Xmx1g', '-Dx=a b', '-Dy=c:\\d"q', '-Dz=a#b', ''])).toBe(
      ['-Xmx1g', '"-Dx=a b"', '"-Dy=c:\\\\d\\"q"', '"-Dz=a#b"', '""'].join('\n') + '\n',
    );
  });
});

describe('findJar', () => {
  it('matches on the artifact file name, not on directories', () => {
    const cp = ['/m2/jamm-stuff/other-1.jar', '/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar'];
    expect(findJar(cp, 'jamm')).toBe('/m2/com/github/jbellis/jamm/0.4.0/jamm-0.4.0.jar');
    expect(findJar(cp, 'netty')).toBeUndefined();
  });
});
