// A logical replication client for pgoutput (protocol 1, text values), on postgres.js's replication connection.
// Changes are grouped per transaction and handed over at COMMIT, one transaction at a time, so consumers see only
// committed rows, in commit order, with the commit timestamp. The slot is temporary (as upstream's): it exists
// while we are connected and goes away with the connection.
import type { Duplex } from 'node:stream';
import postgres from 'postgres';
import type { Logger } from '../log.ts';

export interface Column {
  name: string;
  typeOid: number;
  typmod: number;
  /** Part of the replica identity (the primary key unless REPLICA IDENTITY says otherwise). */
  key: boolean;
}

export interface Relation {
  id: number;
  schema: string;
  table: string;
  replicaIdentity: string;
  columns: Column[];
}

/** Text values by column position; null = SQL NULL, undefined = unchanged TOAST value (not sent). */
export type Tuple = (string | null | undefined)[];

export interface Change {
  kind: 'INSERT' | 'UPDATE' | 'DELETE';
  relation: Relation;
  record?: Tuple;
  old?: Tuple;
}

export interface Transaction {
  commitTime: Date;
  changes: Change[];
}

export interface ReplicationOptions {
  url: string;
  publications: string[];
  slotPrefix: string;
  onTransaction: (tx: Transaction) => void | Promise<void>;
  log: Logger;
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

export class ReplicationStream {
  private sql?: postgres.Sql;
  private stream?: Duplex;
  private relations = new Map<number, Relation>();
  private tx: Transaction | null = null;
  private lastEnd = 0n;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;

  constructor(private o: ReplicationOptions) {}

  /** Resolves once the slot exists and streaming has begun: every later commit will be seen. */
  async start(): Promise<void> {
    const slot = `${this.o.slotPrefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    this.sql = postgres(this.o.url, {
      max: 1,
      fetch_types: false,
      idle_timeout: 0,
      max_lifetime: null,
      onnotice: () => {},
      connection: { replication: 'database', application_name: 'realtime_replication_connection' } as Record<
        string,
        string
      >,
    });
    const [created] = await this.sql.unsafe(
      `CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`,
    );
    // The walsender's command grammar, not SQL: its strings are plain '…' only (no E'…'), so not shared/sql.ts.
    const pubs = this.o.publications.map((p) => p.replace(/'/g, "''")).join(',');
    // postgres.js types the copy stream as Writable; in replication mode it is a duplex (CopyBoth).
    const stream = (await this.sql
      .unsafe(
        `START_REPLICATION SLOT ${slot} LOGICAL ${created.consistent_point}
      (proto_version '1', publication_names '${pubs}')`,
      )
      .writable()) as unknown as Duplex;
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err: Error) => {
      if (!this.stopped) this.o.log.warn('replication stream error', { error: err.message });
    });
    stream.on('close', () => this.restart());
    this.statusTimer = setInterval(() => this.sendStatus(), 10_000);
    this.statusTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.statusTimer);
    await this.sql?.end({ timeout: 1 }).catch(() => {});
  }

  private restart(): void {
    clearInterval(this.statusTimer);
    if (this.stopped) return;
    this.o.log.warn('replication connection lost; reconnecting (changes meanwhile are not replayed)');
    void this.sql?.end({ timeout: 1 }).catch(() => {});
    this.relations.clear();
    this.tx = null;
    this.retry = setTimeout(() => {
      this.start().catch((err: Error) => {
        this.o.log.warn('replication reconnect failed', { error: err.message });
        this.restart();
      });
    }, 1000);
    this.retry.unref();
  }

  private onData(chunk: Buffer): void {
    if (chunk[0] === 0x77) {
      // 'w' XLogData: walStart(8) walEnd(8) sendTime(8), then the pgoutput message
      this.onMessage(chunk.subarray(25));
    } else if (chunk[0] === 0x6b) {
      // 'k' keepalive: walEnd(8) sendTime(8) replyRequested(1)
      if (!this.tx) this.lastEnd = maxLsn(this.lastEnd, chunk.readBigUInt64BE(1));
      if (chunk[17]) this.sendStatus();
    }
  }

  private sendStatus(): void {
    if (!this.stream) return;
    const x = Buffer.alloc(34);
    x[0] = 0x72; // 'r' standby status update: written, flushed, applied, clock, reply
    x.writeBigUInt64BE(this.lastEnd, 1);
    x.writeBigUInt64BE(this.lastEnd, 9);
    x.writeBigUInt64BE(this.lastEnd, 17);
    x.writeBigInt64BE(BigInt(Date.now() - PG_EPOCH_MS) * 1000n, 25);
    this.stream.write(x);
  }

  private onMessage(m: Buffer): void {
    switch (String.fromCharCode(m[0])) {
      case 'B': // Begin: final lsn, commit time, xid
        this.tx = { commitTime: pgTime(m.readBigInt64BE(9)), changes: [] };
        break;
      case 'C': {
        // Commit: flags, commit lsn, end lsn, commit time
        const tx = this.tx;
        this.tx = null;
        if (!tx) return;
        tx.commitTime = pgTime(m.readBigInt64BE(18));
        this.lastEnd = maxLsn(this.lastEnd, m.readBigUInt64BE(10));
        if (tx.changes.length > 0) {
          this.chain = this.chain
            .then(() => this.o.onTransaction(tx))
            .catch((err: Error) => {
              this.o.log.error('replicated transaction handling failed', { error: err.stack });
            });
        }
        break;
      }
      case 'R':
        this.onRelation(m);
        break;
      case 'I': {
        const rel = this.relations.get(m.readUInt32BE(1));
        if (rel && this.tx) this.tx.changes.push({ kind: 'INSERT', relation: rel, record: tuple(m, 6).values });
        break;
      }
      case 'U': {
        const rel = this.relations.get(m.readUInt32BE(1));
        if (!rel || !this.tx) return;
        let offset = 5;
        let old: Tuple | undefined;
        if (m[offset] === 0x4b || m[offset] === 0x4f) {
          // 'K' key or 'O' old tuple precedes the new one
          const t = tuple(m, offset + 1);
          old = t.values;
          offset = t.end;
        }
        this.tx.changes.push({ kind: 'UPDATE', relation: rel, old, record: tuple(m, offset + 1).values });
        break;
      }
      case 'D': {
        const rel = this.relations.get(m.readUInt32BE(1));
        if (rel && this.tx) this.tx.changes.push({ kind: 'DELETE', relation: rel, old: tuple(m, 6).values });
        break;
      }
      default: // Origin, Type, Truncate, Message: nothing to deliver
    }
  }

  private onRelation(m: Buffer): void {
    let i = 1;
    const id = m.readUInt32BE(i);
    i += 4;
    const cstr = () => {
      const end = m.indexOf(0, i);
      const s = m.toString('utf8', i, end);
      i = end + 1;
      return s;
    };
    const schema = cstr();
    const table = cstr();
    const replicaIdentity = String.fromCharCode(m[i++]);
    const n = m.readUInt16BE(i);
    i += 2;
    const columns: Column[] = [];
    for (let c = 0; c < n; c++) {
      const flags = m[i++];
      const name = cstr();
      const typeOid = m.readUInt32BE(i);
      const typmod = m.readInt32BE(i + 4);
      i += 8;
      columns.push({ name, typeOid, typmod, key: (flags & 1) === 1 });
    }
    this.relations.set(id, { id, schema, table, replicaIdentity, columns });
  }
}

function tuple(m: Buffer, offset: number): { values: Tuple; end: number } {
  const n = m.readUInt16BE(offset);
  let i = offset + 2;
  const values: Tuple = new Array(n);
  for (let c = 0; c < n; c++) {
    const kind = m[i++];
    if (kind === 0x6e)
      values[c] = null; // 'n'
    else if (kind === 0x75)
      values[c] = undefined; // 'u' unchanged TOAST
    else {
      // 't' text (or 'b' binary, which we never request)
      const len = m.readUInt32BE(i);
      values[c] = m.toString('utf8', i + 4, i + 4 + len);
      i += 4 + len;
    }
  }
  return { values, end: i };
}

function pgTime(us: bigint): Date {
  return new Date(PG_EPOCH_MS + Number(us / 1000n));
}

function maxLsn(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
