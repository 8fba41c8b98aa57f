/** Progress lines: `  12.3s [cassandra] starting ...` (time since the command started). */
export interface Reporter {
  say(engine: string, message: string): void;
}

export function consoleReporter(start: number = Date.now(), write: (line: string) => void = (line) => console.log(line)): Reporter {
  return {
    say(engine, message) {
      const elapsed = formatDuration(Date.now() - start).padStart(7);
      const lines = message.split('\n');
      write(`${elapsed} [${engine}] ${lines[0] ?? ''}`);
      for (const line of lines.slice(1)) write(`${' '.repeat(elapsed.length)} ${' '.repeat(engine.length + 2)} ${line}`);
    },
  };
}

/** 870 -> "0.9s", 12_340 -> "12.3s", 125_000 -> "2m05s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** A plain text table with a header rule; cells are padded to the widest value of their column. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
