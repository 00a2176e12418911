// Which functions exist and how each is configured, as the CLI decides: every supabase/functions/<slug>/index.ts
// with a valid slug (so _shared is skipped) plus [functions.<slug>] tables of config.toml; verify_jwt defaults to true.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';

export interface FunctionSpec {
  slug: string;
  dir: string;
  entrypoint: string;
  verifyJwt: boolean;
  /** deno.json (used as the import map), when the function has one. */
  config?: string;
}

const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;

interface FunctionToml {
  enabled?: boolean;
  verify_jwt?: boolean;
  entrypoint?: string;
  import_map?: string;
}

export function discoverFunctions(workdir: string): Map<string, FunctionSpec> {
  const supabaseDir = join(workdir, 'supabase');
  const functionsDir = join(supabaseDir, 'functions');
  const toml = existsSync(join(supabaseDir, 'config.toml'))
    ? (parse(readFileSync(join(supabaseDir, 'config.toml'), 'utf8')) as { functions?: Record<string, FunctionToml> })
    : {};
  const configured = toml.functions ?? {};
  const slugs = new Set<string>(Object.keys(configured));
  if (existsSync(functionsDir)) {
    for (const entry of readdirSync(functionsDir, { withFileTypes: true })) {
      if (entry.isDirectory() && SLUG.test(entry.name) && existsSync(join(functionsDir, entry.name, 'index.ts'))) {
        slugs.add(entry.name);
      }
    }
  }
  const specs = new Map<string, FunctionSpec>();
  for (const slug of [...slugs].sort()) {
    const cfg = configured[slug] ?? {};
    if (cfg.enabled === false) continue;
    const entrypoint = cfg.entrypoint ? resolve(supabaseDir, cfg.entrypoint) : join(functionsDir, slug, 'index.ts');
    if (!existsSync(entrypoint)) continue;
    const dir = resolve(entrypoint, '..');
    const candidates = [
      cfg.import_map && resolve(supabaseDir, cfg.import_map),
      join(dir, 'deno.json'),
      join(dir, 'deno.jsonc'),
    ];
    specs.set(slug, {
      slug,
      dir,
      entrypoint,
      verifyJwt: cfg.verify_jwt !== false,
      config: candidates.find((c): c is string => Boolean(c) && existsSync(c as string)),
    });
  }
  return specs;
}

/** supabase/functions/.env as the CLI reads it: dotenv lines; names starting with SUPABASE_ are dropped. */
export function loadFunctionSecrets(workdir: string): Record<string, string> {
  const file = join(workdir, 'supabase', 'functions', '.env');
  if (!existsSync(file)) return {};
  const secrets: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    let value = m[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    if (!m[1].startsWith('SUPABASE_')) secrets[m[1]] = value;
  }
  return secrets;
}
