// `npm run test:reliability [-- <scenario name fragment> …]`: the reliability suite on one platform of its own (ports
// 30321/30322), with real processes and the client library, no mocks. One summary line per scenario, the failures
// under it, and `N passed, N failed` last; exit status 1 when any failed.
import { createLogger } from '../../stack/log.ts';
import { ensureSystemRequirements } from '../../stack/system/index.ts';
import { runSuiteMain } from '../../stack/testing/suite-main.ts';
import { startTestStack } from '../../stack/testing/stack.ts';
import { deliveryScenarios } from './delivery.ts';
import { fuzzScenario } from './fuzz.ts';
import type { Scenario } from './scenario.ts';

// Realtime's per-tenant quotas (100 events/s, 100 joins/s locally as on the Free plan) would throttle a run that
// pushes 10 receivers × hundreds of messages a second: lifted here as in the benches; they have their own tests.
process.env.TENANT_MAX_EVENTS_PER_SECOND ??= '1000000';
process.env.TENANT_MAX_JOINS_PER_SECOND ??= '1000000';

const log = createLogger('reliability');
const scenarios: Scenario[] = [...deliveryScenarios, fuzzScenario];

async function main(): Promise<number> {
  const filters = process.argv.slice(2).map((f) => f.toLowerCase());
  const selected = scenarios.filter(
    (s) => filters.length === 0 || filters.some((f) => s.name.toLowerCase().includes(f)),
  );
  if (selected.length === 0) {
    console.error(`no scenario matches ${filters.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
    return 2;
  }
  // What `npm start` needs (Postgres 15): installed as root, else the one command to run is printed.
  ensureSystemRequirements('start', log);
  const stack = await startTestStack('reliability', 30321);
  let passed = 0;
  let failed = 0;
  const lines: string[] = [];
  try {
    for (const scenario of selected) {
      log.info('scenario', { name: scenario.name });
      let result;
      try {
        result = await scenario.run({ stack, log: log.child(scenario.name) });
      } catch (err) {
        result = { summary: 'did not finish', failures: [(err as Error).stack ?? String(err)] };
      }
      const ok = result.failures.length === 0;
      if (ok) passed++;
      else failed++;
      const line = `${ok ? 'PASS' : 'FAIL'} ${scenario.name}: ${result.summary}`;
      lines.push(line, ...result.failures.map((f) => `  - ${f}`));
      console.log(lines.slice(-1 - result.failures.length).join('\n'));
    }
  } finally {
    await stack.stop();
  }
  console.log(`\n${lines.join('\n')}\n\n${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runSuiteMain(main, log);
