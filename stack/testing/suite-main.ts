// The end of a test runner (`npm test`, `npm run test:reliability`): exit with main's status; a runner that fails
// before counting anything still ends with the `N passed, N failed` line CI reads.
import type { Logger } from '../log.ts';
import { MissingSystemFilesError } from '../system/index.ts';

export function runSuiteMain(main: () => Promise<number>, log: Logger): void {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      // What the user must do (install a package) is the whole message; a stack only helps for our own bugs.
      log.error(err instanceof MissingSystemFilesError ? err.message : (err.stack ?? err.message));
      console.log('\n0 passed, 1 failed');
      process.exit(1);
    },
  );
}
