// `npm run types`: regenerates what is derived from the migrations (on a throwaway database of the test cluster):
// types/database.ts (postgres-meta), types/rules.ts and the refusal table of docs/authorization.md (scripts/rules.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../stack/config.ts';
import { createLogger } from '../stack/log.ts';
import { withThrowawayDb } from '../stack/postgres/pgtap.ts';
import { withTestCluster } from '../stack/postgres/test-cluster.ts';
import { generateTypes } from '../stack/postgres/typegen.ts';
import { authorizationDoc, renderRules, rulesFile } from './rules.ts';

const log = createLogger('types');
const { types, rules } = await withTestCluster(log, (cfg) =>
  withThrowawayDb(cfg, log, async (db) => ({
    types: await generateTypes(cfg, db),
    rules: await renderRules(cfg, db),
  })),
);
writeFileSync(join(projectRoot, 'types', 'database.ts'), types);
writeFileSync(rulesFile, rules.rulesTs);
writeFileSync(authorizationDoc, rules.authorizationMd);
log.info('wrote types/database.ts, types/rules.ts and the refusal table of docs/authorization.md');
