// When a fault test fails in CI, the services' own account of it is the only lead: each
// ServiceProcess keeps its last output (warnings and errors at the tests' log level), which is
// otherwise printed only when a process fails to start. `withServiceLogs` prints it when the
// body fails, leaving out the engine-reconnect noise that fills an outage.
import { type ServiceProcess } from '@chat/testing';

const NOISE = /ECONNREFUSED|ECONNRESET|Failed to connect to seed broker|Connection timeout|trying to connect to the host|considered as DOWN|All host\(s\) tried for query failed|partition paused, the record is tried again|after-store step failed/;

export async function withServiceLogs<T>(processes: readonly ServiceProcess[], body: () => Promise<T>, lines = 60): Promise<T> {
  try {
    return await body();
  } catch (error) {
    for (const process of processes) {
      const kept = process
        .logs()
        .split('\n')
        .filter((line) => line.trim() !== '' && !NOISE.test(line));
      console.log(`--- ${process.name}: last ${Math.min(lines, kept.length)} log lines (reconnect noise left out) ---\n${kept.slice(-lines).map((line) => line.slice(0, 600)).join('\n')}`);
    }
    throw error;
  }
}
