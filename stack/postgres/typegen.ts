// `Database` types with postgres-meta 0.99.0 (what `supabase gen types typescript` runs), without Docker.
import { join } from 'node:path';
import { dbUrl, projectRoot, type StackConfig } from '../config.ts';
import { runCommand } from '../shared/child.ts';

const server = join(projectRoot, 'node_modules', '@supabase', 'postgres-meta', 'dist', 'server', 'server.js');

export async function generateTypes(cfg: StackConfig, database: string, schemas = ['public']): Promise<string> {
  const { code, stdout, stderr } = await runCommand(process.execPath, [server], {
    env: {
      ...process.env,
      PG_META_DB_URL: dbUrl(cfg, { database, sslmode: false }),
      PG_META_GENERATE_TYPES: 'typescript',
      PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: schemas.join(','),
      PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true',
    },
  });
  if (code === 0 && stdout.includes('export type Database')) return stdout;
  throw new Error(`postgres-meta type generation failed (exit ${code}): ${stderr.trim().slice(-2000)}`);
}
