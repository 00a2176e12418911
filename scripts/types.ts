// `npm run types`: regenerates types/database.ts from the migrations (throwaway database on the test cluster).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../stack/config.ts';
import { createLogger } from '../stack/log.ts';
import { withThrowawayDb } from '../stack/postgres/pgtap.ts';
import { withTestCluster } from '../stack/postgres/test-cluster.ts';
import { generateTypes } from '../stack/postgres/typegen.ts';

const log = createLogger('types');
const types = await withTestCluster(log, (cfg) => withThrowawayDb(cfg, log, (db) => generateTypes(cfg, db)));
writeFileSync(join(projectRoot, 'types', 'database.ts'), types);
log.info('wrote types/database.ts', { bytes: types.length });
