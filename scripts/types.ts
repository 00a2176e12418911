// `npm run types`: regenerates types/database.ts from the migrations (throwaway database on the test cluster).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, projectRoot } from '../stack/config.ts';
import { createLogger } from '../stack/log.ts';
import { ensureCluster } from '../stack/postgres/index.ts';
import { withThrowawayDb } from '../stack/postgres/pgtap.ts';
import { generateTypes } from '../stack/postgres/typegen.ts';

const log = createLogger('types');
const cfg = loadConfig({
  ...process.env,
  STACK_STATE_DIR: process.env.STACK_TEST_STATE_DIR ?? join(projectRoot, '.stack', 'test'),
  STACK_DB_PORT: process.env.STACK_TEST_DB_PORT ?? '54332',
});
await ensureCluster(cfg, log);
const types = await withThrowawayDb(cfg, log, (db) => generateTypes(cfg, db));
writeFileSync(join(projectRoot, 'types', 'database.ts'), types);
log.info('wrote types/database.ts', { bytes: types.length });
