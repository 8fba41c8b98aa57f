// The shape of a run's results: written as JSON, rendered as Markdown (tables) and SVG (chart).
import { type PhaseOutcome } from '../load/fleet';
import { type ProcessUsage } from '../sampler';

export interface TargetRow {
  target: string;
  goal: string;
  measured: string;
  /** The bare relay's figure, when there is one, and ours relative to it. */
  relay?: string;
  ratio?: string;
  met?: boolean;
}

export interface Table {
  title: string;
  header: string[];
  rows: (string | number)[][];
}

export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
}

export interface ScenarioResult {
  targets: TargetRow[];
  tables: Table[];
  /** Load phases measured, by what they ran against (`system`, `relay`). */
  phases: Record<string, PhaseOutcome[]>;
  /** CPU and memory of every process, by what ran (`system`, `relay`). */
  processes: Record<string, ProcessUsage[]>;
  chart?: Chart;
  details?: Record<string, unknown>;
  /** Lines for the stdout summary. */
  summary: string[];
  /** Whether lost, duplicated and reordered deliveries were all zero (load scenarios). */
  clean?: boolean;
}

export interface BenchReport extends ScenarioResult {
  scenario: string;
  startedAt: string;
  finishedAt: string;
  mode: 'started' | 'target';
  options: Record<string, unknown>;
  machine: { cpus: number; model: string; memoryGiB: number; loadAverage: number[]; note: string };
}
