// What a reliability scenario is: a named run against one shared platform (real processes, no mocks) that answers
// one summary line and the failures it found. tests/reliability/run.ts runs them in turn and counts.
import type { Logger } from '../../stack/log.ts';
import type { TestStack } from '../../stack/testing/stack.ts';

export interface ScenarioContext {
  /** The platform every scenario shares (gateway, services, Postgres), started by run.ts. */
  stack: TestStack;
  log: Logger;
}

export interface ScenarioResult {
  /** One line of figures, e.g. `10000 stored, 100000 deliveries, 0 gaps, 0 duplicates, 3.1 s`. */
  summary: string;
  /** What went wrong, each a sentence; empty when the scenario passed. */
  failures: string[];
}

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}
