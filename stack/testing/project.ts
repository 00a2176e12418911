// Throwaway folders for tests: one the `postgres` OS user can enter (it keeps a cluster inside), and Supabase project
// folders (`supabase/` with config.toml, migrations, seed, functions) built from a test's own files.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../config.ts';

/** A new folder under the OS temp folder, `mr-<name>-…`, that the `postgres` OS user may enter. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mr-${name}-`));
  chmodSync(dir, 0o755); // initdb runs as `postgres` when we are root, and the cluster lives inside
  return dir;
}

/** What a throwaway Supabase project holds; file names map to their text. */
export interface ProjectFiles {
  /** `supabase/migrations/<name>`. */
  migrations?: Record<string, string>;
  /** `supabase/seed.sql`. */
  seed?: string;
  /** `supabase/functions/<slug>/index.ts` (with an empty deno.json beside it). */
  functions?: Record<string, string>;
  /** Any other file, by its path under `supabase/`. */
  files?: Record<string, string>;
  /** `supabase/config.toml`; the project's own by default. */
  config?: string;
}

/** A Supabase project folder in a new temp folder (`tempDir`), holding `files`; returns the folder. */
export function tempProject(name: string, files: ProjectFiles): string {
  const dir = tempDir(name);
  const supabase = join(dir, 'supabase');
  const write = (path: string, text: string) => {
    mkdirSync(join(supabase, path, '..'), { recursive: true });
    writeFileSync(join(supabase, path), text);
  };
  mkdirSync(join(supabase, 'migrations'), { recursive: true });
  if (files.config === undefined)
    copyFileSync(join(projectRoot, 'supabase', 'config.toml'), join(supabase, 'config.toml'));
  else write('config.toml', files.config);
  for (const [file, sql] of Object.entries(files.migrations ?? {})) write(join('migrations', file), sql);
  if (files.seed !== undefined) write('seed.sql', files.seed);
  for (const [slug, code] of Object.entries(files.functions ?? {})) {
    write(join('functions', slug, 'index.ts'), code);
    write(join('functions', slug, 'deno.json'), '{}');
  }
  for (const [path, text] of Object.entries(files.files ?? {})) write(path, text);
  return dir;
}

/** The `.sql` files of a folder, by name (e.g. a service's fixture migrations). */
export function sqlFiles(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}
