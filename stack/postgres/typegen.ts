// `Database` types with postgres-meta 0.99.0 (what `supabase gen types typescript` runs), without Docker.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { dbUrl, projectRoot, type StackConfig } from '../config.ts';

const server = join(projectRoot, 'node_modules', '@supabase', 'postgres-meta', 'dist', 'server', 'server.js');

export function generateTypes(cfg: StackConfig, database: string, schemas = ['public']): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [server], {
      env: {
        ...process.env,
        PG_META_DB_URL: dbUrl(cfg, { database, sslmode: false }),
        PG_META_GENERATE_TYPES: 'typescript',
        PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: schemas.join(','),
        PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 && out.includes('export type Database')
      ? resolve(out)
      : reject(new Error(`postgres-meta type generation failed (exit ${code}): ${err.trim().slice(-2000)}`))));
  });
}
