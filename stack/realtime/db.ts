// Connections to the project database. Authorization probes and per-change RLS checks are sent as one
// multi-statement simple query (one round trip per check), so each runs on a reserved connection of its own: if a
// statement fails mid-transaction we roll that connection back before anyone else uses it.
import postgres, { type ReservedSql, type Sql } from 'postgres';

export type Db = Sql<Record<string, never>>;

export function connect(url: string, max: number, applicationName: string): Db {
  return postgres(url, {
    max,
    onnotice: () => {},
    idle_timeout: 0,
    connection: { application_name: applicationName },
  }) as Db;
}

interface Job {
  text: string;
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (err: unknown) => void;
}

/**
 * A fixed set of reserved connections. Callers queue self-contained scripts (their own begin ... rollback); when
 * a connection frees up it takes every script waiting (up to `maxBatch`) and sends them as one query string, so a
 * burst of joins costs a few round trips instead of one each. If any script in a batch fails, Postgres skips the
 * rest of that string: the connection is rolled back and each script runs again alone, so every caller still gets
 * its own result or its own error.
 */
export class ReservedPool {
  private idle: ReservedSql[] = [];
  private all: ReservedSql[] = [];
  private queue: Job[] = [];

  constructor(
    private sql: Db,
    private size: number,
    private maxBatch = 32,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      const c = await this.sql.reserve();
      this.all.push(c);
      this.idle.push(c);
    }
  }

  /**
   * Runs a multi-statement script and returns the rows of all its statements in order. Statements that return no
   * rows (begin, insert, rollback) leave no trace, so callers pick their rows by column name.
   */
  multi(text: string): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const c = this.idle.pop()!;
      const jobs = this.queue.splice(0, this.maxBatch);
      void this.runBatch(c, jobs).finally(() => {
        if (this.all.includes(c)) this.idle.push(c);
        this.pump();
      });
    }
  }

  private async runBatch(c: ReservedSql, jobs: Job[]): Promise<void> {
    if (jobs.length === 1) return this.runOne(c, jobs[0]);
    // Each script is followed by a marker row, which is how the flattened rows are split back per script.
    const text = jobs.map((j, i) => `${j.text};\nselect ${i} as __batch_end`).join(';\n');
    let rows: Record<string, unknown>[];
    try {
      rows = await run(c, text);
    } catch {
      await c.unsafe('rollback').catch(() => {});
      for (const job of jobs) await this.runOne(c, job);
      return;
    }
    let current: Record<string, unknown>[] = [];
    let n = 0;
    for (const row of rows) {
      if ('__batch_end' in row) {
        jobs[n++].resolve(current);
        current = [];
      } else current.push(row);
    }
  }

  private async runOne(c: ReservedSql, job: Job): Promise<void> {
    try {
      job.resolve(await run(c, job.text));
    } catch (err) {
      await c.unsafe('rollback').catch(() => {});
      job.reject(err);
    }
  }

  end(): void {
    for (const c of this.all) c.release();
    this.all = [];
    this.idle = [];
    for (const job of this.queue.splice(0)) job.reject(new Error('database pool closed'));
  }
}

async function run(c: ReservedSql, text: string): Promise<Record<string, unknown>[]> {
  const res = (await c.unsafe(text).simple()) as unknown[];
  return (Array.isArray(res[0]) ? res.flat() : res) as Record<string, unknown>[];
}

/** Postgres SQLSTATE of an error thrown by the driver, if any. */
export function sqlState(err: unknown): string | undefined {
  return (err as { code?: string })?.code;
}
