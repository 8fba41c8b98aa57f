import { consoleReporter, formatDuration, renderTable } from './report';

describe('formatDuration', () => {
  it('shows tenths of seconds below a minute, then minutes and seconds', () => {
    expect(formatDuration(870)).toBe('0.9s');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(125_000)).toBe('2m05s');
  });
});

describe('renderTable', () => {
  it('pads columns to the widest cell and rules the header', () => {
    expect(renderTable(['a', 'bb'], [['xxx', 'y'], ['z', '']])).toBe(['a    bb', '---  --', 'xxx  y', 'z'].join('\n'));
  });
});

describe('consoleReporter', () => {
  it('prefixes lines with the elapsed time and engine, indenting continuation lines', () => {
    const lines: string[] = [];
    consoleReporter(Date.now(), (l) => lines.push(l)).say('kafka', 'one\ntwo');
    expect(lines[0]).toMatch(/^\s+0\.\ds \[kafka\] one$/);
    expect(lines[1]?.trim()).toBe('two');
  });
});
