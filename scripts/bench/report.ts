// What `npm run bench` (scripts/bench/all.ts) measures, as data, and how it is shown: the one markdown table with the
// machine it ran on, the chart of latency against offered rate for the durable path and the client broadcast (an SVG
// written by hand: a few lines and labels need no plotting library), and the README section between its markers.
// Pure functions of a results object, so tests/bench-report.test.ts checks the rendering without running a bench.
// The targets (issue 15) are defined here, once: the table shows each beside its measure and whether it is met.

/** A measure repeated in interleaved rounds: the median and the spread (min–max) over the rounds. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The Stat of a measure's values over the rounds (NaN everywhere when there are none). */
export function stat(values: number[]): Stat {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** The p-th percentile (0-100) of samples, nearest rank. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export type Peer = 'realtime' | 'ws' | 'socketio';
export const PEERS: readonly Peer[] = ['realtime', 'ws', 'socketio'];
export const PEER_LABEL: Record<Peer, string> = { realtime: 'this server', ws: 'bare ws', socketio: 'Socket.IO' };

/** One fan-out (1 sender → `receivers`) for one server. */
export interface FanoutPeerResult {
  cpuUsPerDelivery: Stat;
  p50Ms: Stat;
  p95Ms: Stat;
  p99Ms: Stat;
  /** Deliveries/s with a bounded window of messages in flight, as fast as they are delivered. */
  peakDeliveriesPerSecond: Stat;
}

export interface FanoutResult {
  receivers: number;
  /** Offered msg/s for the latency and CPU runs. */
  rate: number;
  peers: Record<Peer, FanoutPeerResult>;
}

export interface IdleResult {
  /** The count asked for, and the count held (fewer when the open-file limit allowed no more). */
  requested: number;
  sockets: number;
  /** KB of server RSS per idle joined socket (a private channel for this server); null where not measured. */
  kbPerSocket: Record<Peer, number | null>;
  /** Why fewer sockets than asked were held (e.g. the open-file limit). */
  skipped?: string;
}

/** Section 1 and 4: stack/realtime/bench (this server vs bare ws vs Socket.IO, each in a process of its own). */
export interface RealtimeResults {
  rounds: number;
  measureMs: number;
  fanouts: FanoutResult[];
  idle: IdleResult[];
  privateJoinsPerSecond: Stat;
  /** How the joins were made: sockets × channels each. */
  joins: { sockets: number; perSocket: number };
}

export type DurableMode = 'invoke' | 'broadcast';
export const MODE_LABEL: Record<DurableMode, string> = {
  invoke: "functions.invoke('send-message')",
  broadcast: 'client broadcast over the socket',
};

/** One offered rate of one mode, over the rounds. */
export interface DurableRun {
  mode: DurableMode;
  offeredRate: number;
  achievedRate: Stat;
  /** Send → delivered to each receiver, ms. */
  p50Ms: Stat;
  p95Ms: Stat;
  p99Ms: Stat;
  /** Invokes that failed or did not finish, summed over the rounds (broadcast: sends refused). */
  failed: number;
  /** Deliveries expected but not seen within the drain time, summed over the rounds. */
  lost: number;
  /** CPU ms per message of every process but the harness. */
  serverCpuMsPerMessage: Stat;
  /** CPU ms per message by process (median over the rounds), the harness included. */
  cpuByProcess: Record<string, number>;
}

/** Section 2: the durable path beside a client broadcast at the same offered rates. */
export interface DurableResults {
  receivers: number;
  senders: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  runs: DurableRun[];
}

/** Section 3: database-originated events → a subscribed client. */
export interface DbEventsResults {
  samplesPerRound: number;
  rounds: number;
  events: { label: string; p50Ms: Stat; p99Ms: Stat; lost: number }[];
}

/** Section 5: the database alone, on a cluster of its own. */
export interface DatabaseResults {
  pgbench: {
    clients: number;
    seconds: number;
    rounds: number;
    sendMessageTps: Stat;
    bareInsertTps: Stat;
    ratio: Stat;
    /** An RPC that only inserts the row, called the same way: the most any send_message could reach. */
    insertOnlyRpcTps: Stat;
    insertOnlyRpcRatio: Stat;
  };
  getMessages: { messages: number; pageSize: number; calls: number; p50Ms: Stat; p99Ms: Stat };
}

/** Section 6: `npm start` to the printed URLs, on a fresh state folder (cold) and on the same one again (warm). */
export interface PlatformResults {
  coldMs: Stat;
  warmMs: Stat;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  /** ISO date-time the run started. */
  date: string;
  /** A fixed workload's ms before and after the run (scripts/bench/cpu.ts): the machine's speed of the moment. */
  referenceWorkloadMs?: { before: number; after: number };
}

export interface BenchResults {
  machine: MachineInfo;
  quick: boolean;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  realtime?: RealtimeResults;
  durable?: DurableResults;
  dbEvents?: DbEventsResults;
  database?: DatabaseResults;
  platform?: PlatformResults;
  /** Sections that failed, with the error, so one broken section does not lose the others. */
  errors: Record<string, string>;
}

/** The targets of issue 15, part 2. */
export const TARGETS = {
  durableRate: 500,
  durableP99Ms: 25,
  durableCpuMsPerMessage: 1.5,
  realtimeCpuVsWs: 1.0,
  realtimeP99VsWs: 1.2,
  idleKbPerSocket: 8,
  idleSockets: 20_000,
  dbEventP50Ms: 2,
  dbEventP99Ms: 10,
  sendMessageVsInsert: 0.7,
} as const;

// ---- formatting

const group = (s: string) => s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A number with `digits` decimals (thousands grouped); '–' when not finite. */
export function num(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '–';
  const [int, frac] = v.toFixed(digits).split('.');
  return frac === undefined ? group(int) : `${group(int)}.${frac}`;
}

/** `median (min–max)`, or the median alone for a single round. */
export function fmtStat(s: Stat, digits = 1, unit = ''): string {
  if (s.n === 0) return '–';
  const m = `${num(s.median, digits)}${unit}`;
  return s.n === 1 || s.min === s.max ? m : `${m} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

/** ✅ / ❌, or '–' when it could not be judged. */
const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✅ met' : '❌ not met');
const judge = (...values: number[]) => values.every((v) => Number.isFinite(v));

interface Row {
  section: string;
  measure: string;
  result: string;
  compared?: string;
  target?: string;
  met?: boolean;
}

function realtimeRows(r: RealtimeResults): Row[] {
  const rows: Row[] = [];
  const section = '1. Realtime fan-out';
  for (const f of r.fanouts) {
    const [ours, ws, io] = PEERS.map((p) => f.peers[p]);
    const name = `1→${f.receivers} @ ${num(f.rate, 0)} msg/s`;
    const cpuRatio = ours.cpuUsPerDelivery.median / ws.cpuUsPerDelivery.median;
    const p99Ratio = ours.p99Ms.median / ws.p99Ms.median;
    rows.push({
      section,
      measure: `${name}: server CPU µs per delivery`,
      result: fmtStat(ours.cpuUsPerDelivery, 2),
      compared: `ws ${fmtStat(ws.cpuUsPerDelivery, 2)}; Socket.IO ${fmtStat(io.cpuUsPerDelivery, 2)}; ${num(cpuRatio, 2)}× ws`,
      target: `≤ ${TARGETS.realtimeCpuVsWs.toFixed(1)}× ws`,
      met: judge(cpuRatio) ? cpuRatio <= TARGETS.realtimeCpuVsWs : undefined,
    });
    rows.push({
      section,
      measure: `${name}: latency p50 / p95 / p99 ms`,
      result: `${fmtStat(ours.p50Ms, 2)} / ${fmtStat(ours.p95Ms, 2)} / ${fmtStat(ours.p99Ms, 2)}`,
      compared: `ws ${num(ws.p50Ms.median, 2)} / ${num(ws.p95Ms.median, 2)} / ${num(ws.p99Ms.median, 2)}; Socket.IO ${num(io.p50Ms.median, 2)} / ${num(io.p95Ms.median, 2)} / ${num(io.p99Ms.median, 2)}; p99 ${num(p99Ratio, 2)}× ws`,
      target: `p99 ≤ ${TARGETS.realtimeP99VsWs.toFixed(1)}× ws`,
      met: judge(p99Ratio) ? p99Ratio <= TARGETS.realtimeP99VsWs : undefined,
    });
    rows.push({
      section,
      measure: `1→${f.receivers}: peak deliveries/s`,
      result: fmtStat(ours.peakDeliveriesPerSecond, 0),
      compared: `ws ${fmtStat(ws.peakDeliveriesPerSecond, 0)}; Socket.IO ${fmtStat(io.peakDeliveriesPerSecond, 0)}`,
    });
  }
  return rows;
}

function durableRows(d: DurableResults): Row[] {
  const section = '2. Durable path';
  const rows: Row[] = [];
  const rates = [...new Set(d.runs.map((r) => r.offeredRate))].sort((a, b) => a - b);
  for (const rate of rates) {
    const invoke = d.runs.find((r) => r.mode === 'invoke' && r.offeredRate === rate);
    const bc = d.runs.find((r) => r.mode === 'broadcast' && r.offeredRate === rate);
    if (!invoke) continue;
    const atTarget = rate === TARGETS.durableRate;
    const latency = (r: DurableRun) => `${fmtStat(r.p50Ms)} / ${fmtStat(r.p95Ms)} / ${fmtStat(r.p99Ms)}`;
    rows.push({
      section,
      measure: `invoke → ${d.receivers} receivers @ ${num(rate, 0)} msg/s offered: achieved msg/s; p50 / p95 / p99 ms`,
      result: `${fmtStat(invoke.achievedRate, 0)}; ${latency(invoke)}; failed ${invoke.failed}, lost ${invoke.lost}`,
      compared: bc ? `broadcast: ${fmtStat(bc.achievedRate, 0)}; ${latency(bc)}; lost ${bc.lost}` : undefined,
      target: atTarget ? `p99 ≤ ${TARGETS.durableP99Ms} ms, no failed invoke` : undefined,
      met: atTarget
        ? judge(invoke.p99Ms.median)
          ? invoke.p99Ms.median <= TARGETS.durableP99Ms && invoke.failed === 0
          : false
        : undefined,
    });
    const top = Object.entries(invoke.cpuByProcess)
      .filter(([name]) => !name.startsWith('bench harness'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, v]) => `${name.replace(/ \(.*\)$/, '')} ${num(v, 2)}`)
      .join(', ');
    rows.push({
      section,
      measure: `@ ${num(rate, 0)} msg/s: server CPU ms per message (all processes but the harness)`,
      result: `${fmtStat(invoke.serverCpuMsPerMessage, 2)}${top ? ` (${top})` : ''}`,
      compared: bc ? `broadcast ${fmtStat(bc.serverCpuMsPerMessage, 2)}` : undefined,
      target: atTarget ? `≤ ${TARGETS.durableCpuMsPerMessage} ms` : undefined,
      met: atTarget
        ? judge(invoke.serverCpuMsPerMessage.median)
          ? invoke.serverCpuMsPerMessage.median <= TARGETS.durableCpuMsPerMessage
          : false
        : undefined,
    });
  }
  return rows;
}

function dbEventRows(e: DbEventsResults): Row[] {
  return e.events.map((ev) => ({
    section: '3. Database events',
    measure: `${ev.label} → client: p50 / p99 ms`,
    result: `${fmtStat(ev.p50Ms, 2)} / ${fmtStat(ev.p99Ms, 2)}${ev.lost ? `; ${ev.lost} lost` : ''}`,
    target: `p50 ≤ ${TARGETS.dbEventP50Ms} ms, p99 ≤ ${TARGETS.dbEventP99Ms} ms`,
    met: judge(ev.p50Ms.median, ev.p99Ms.median)
      ? ev.p50Ms.median <= TARGETS.dbEventP50Ms && ev.p99Ms.median <= TARGETS.dbEventP99Ms && ev.lost === 0
      : undefined,
  }));
}

function connectionRows(r: RealtimeResults): Row[] {
  const section = '4. Connections';
  const rows: Row[] = r.idle.map((i) => {
    const ours = i.kbPerSocket.realtime;
    const atTarget = i.requested === TARGETS.idleSockets;
    const short = i.sockets < i.requested;
    const other = (['ws', 'socketio'] as const)
      .filter((p) => i.kbPerSocket[p] !== null)
      .map((p) => `${PEER_LABEL[p]} ${num(i.kbPerSocket[p]!, 1)}`)
      .join('; ');
    const held = short ? ` at ${num(i.sockets, 0)} held (${i.skipped ?? 'fewer than asked'})` : '';
    return {
      section,
      measure: `KB per idle socket joined to a private channel, ${num(i.requested, 0)} sockets (RSS growth over the second half)`,
      result: ours === null ? `not measured${held}` : `${num(ours, 1)}${held}`,
      compared: other || undefined,
      target: `≤ ${TARGETS.idleKbPerSocket} KB${atTarget ? `, ${num(TARGETS.idleSockets, 0)} held` : ''}`,
      met: ours === null || (atTarget && short) ? false : ours <= TARGETS.idleKbPerSocket,
    };
  });
  rows.push({
    section,
    measure: `private joins/s (RLS probe per join, ${r.joins.sockets} sockets × ${r.joins.perSocket})`,
    result: fmtStat(r.privateJoinsPerSecond, 0),
  });
  return rows;
}

function databaseRows(d: DatabaseResults): Row[] {
  const section = '5. Database';
  const p = d.pgbench;
  return [
    {
      section,
      measure: `pgbench TPS, ${p.clients} clients × ${p.seconds} s: send_message as an authenticated user`,
      result: fmtStat(p.sendMessageTps, 0),
      compared:
        `bare insert of the same row ${fmtStat(p.bareInsertTps, 0)}; ratio ${fmtStat(p.ratio, 2)}; ` +
        `an RPC that only inserts, called the same way, ${fmtStat(p.insertOnlyRpcTps, 0)} = ${fmtStat(p.insertOnlyRpcRatio, 2)}× bare insert`,
      target: `≥ ${TARGETS.sendMessageVsInsert}× bare insert`,
      met: judge(p.ratio.median) ? p.ratio.median >= TARGETS.sendMessageVsInsert : undefined,
    },
    {
      section,
      measure: `get_messages page of ${d.getMessages.pageSize} on ${num(d.getMessages.messages, 0)} messages: p50 / p99 ms (${d.getMessages.calls} calls)`,
      result: `${fmtStat(d.getMessages.p50Ms, 3)} / ${fmtStat(d.getMessages.p99Ms, 3)}`,
    },
  ];
}

function platformRows(p: PlatformResults): Row[] {
  return [
    {
      section: '6. Platform',
      measure: '`npm start` to ready, cold (fresh state folder: initdb, migrations, seed)',
      result: fmtStat(p.coldMs, 0, ' ms'),
    },
    {
      section: '6. Platform',
      measure: '`npm start` to ready, warm (same state folder again)',
      result: fmtStat(p.warmMs, 0, ' ms'),
    },
  ];
}

/** Every row of the table, in the issue's order. */
export function tableRows(r: BenchResults): Row[] {
  return [
    ...(r.realtime ? realtimeRows(r.realtime) : []),
    ...(r.durable ? durableRows(r.durable) : []),
    ...(r.dbEvents ? dbEventRows(r.dbEvents) : []),
    ...(r.realtime ? connectionRows(r.realtime) : []),
    ...(r.database ? databaseRows(r.database) : []),
    ...(r.platform ? platformRows(r.platform) : []),
  ];
}

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|');

/** The machine line printed above the table. */
export function machineLine(m: MachineInfo): string {
  const ref = m.referenceWorkloadMs
    ? `; reference workload ${num(m.referenceWorkloadMs.before, 0)} ms before, ${num(m.referenceWorkloadMs.after, 0)} ms after (lower is faster)`
    : '';
  return `${m.date.slice(0, 10)}, ${m.cpu}, ${m.cores} cores, ${num(m.memoryGb, 1)} GB RAM, ${m.os}, Node ${m.node}${ref}`;
}

/** The whole report: machine, the table, the sections that failed. Markdown. */
export function renderTable(r: BenchResults): string {
  const lines = [
    `Machine: ${machineLine(r.machine)}. ${r.quick ? 'QUICK smoke run (BENCH_QUICK=1): not figures to trust. ' : ''}` +
      `Medians over interleaved rounds, (min–max) over the rounds; ${num(r.seconds / 60, 1)} min in all.`,
    '',
    '| section | measure | result | compared with | target | met |',
    '|---|---|---|---|---|---|',
    ...tableRows(r).map(
      (row) =>
        `| ${cell(row.section)} | ${cell(row.measure)} | ${cell(row.result)} | ${cell(row.compared)} | ${cell(row.target)} | ${row.target ? verdict(row.met) : ''} |`,
    ),
  ];
  const errors = Object.entries(r.errors);
  if (errors.length) {
    lines.push('', 'Sections that failed:', ...errors.map(([s, e]) => `- ${s}: ${e.split('\n')[0]}`));
  }
  return lines.join('\n');
}

// ---- the chart

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Ticks 1-2-5 per decade covering [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

/** One line of the chart: its label, colour, dash, and points (offered msg/s, ms). */
export interface Series {
  label: string;
  color: string;
  dash?: string;
  points: [number, number][];
}

/** The series of the durable-path chart: p50 and p99 of each mode against the offered rate. */
export function chartSeries(d: DurableResults): Series[] {
  const pick = (mode: DurableMode, key: 'p50Ms' | 'p99Ms') =>
    d.runs
      .filter((r) => r.mode === mode && Number.isFinite(r[key].median) && r[key].median > 0)
      .sort((a, b) => a.offeredRate - b.offeredRate)
      .map((r) => [r.offeredRate, r[key].median] as [number, number]);
  return [
    { label: `${MODE_LABEL.invoke} p99`, color: '#c2410c', points: pick('invoke', 'p99Ms') },
    { label: `${MODE_LABEL.invoke} p50`, color: '#c2410c', dash: '6 4', points: pick('invoke', 'p50Ms') },
    { label: `${MODE_LABEL.broadcast} p99`, color: '#1d4ed8', points: pick('broadcast', 'p99Ms') },
    { label: `${MODE_LABEL.broadcast} p50`, color: '#1d4ed8', dash: '6 4', points: pick('broadcast', 'p50Ms') },
  ];
}

/**
 * An SVG line chart of latency (log scale, ms) against offered msg/s for the durable path and the client broadcast,
 * with the p99 target drawn across. Self-contained: no script, no external font or style.
 */
export function renderChart(d: DurableResults, machine: MachineInfo): string {
  const W = 720;
  const H = 420;
  const m = { left: 64, right: 24, top: 48, bottom: 110 };
  const series = chartSeries(d);
  const xs = [...new Set(d.runs.map((r) => r.offeredRate))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const lo = Math.min(1, ...ys) / 1.2;
  const hi = Math.max(TARGETS.durableP99Ms * 2, ...ys) * 1.2;
  const xMin = xs[0] ?? 0;
  const xMax = xs[xs.length - 1] ?? 1;
  const px = (x: number) => m.left + (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (W - m.left - m.right);
  const py = (y: number) =>
    H - m.bottom - ((Math.log10(y) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - m.top - m.bottom);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Send → delivered to each of ${d.receivers} receivers: latency against offered rate</text>`,
    `<text x="${W / 2}" y="36" text-anchor="middle" fill="#555">${esc(`${machine.date.slice(0, 10)}, ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; medians of ${d.rounds} rounds`)}</text>`,
  ];
  for (const t of logTicks(lo, hi)) {
    out.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  for (const x of xs) {
    out.push(
      `<line x1="${f(px(x))}" x2="${f(px(x))}" y1="${m.top}" y2="${H - m.bottom}" stroke="#e5e7eb"/>`,
      `<text x="${f(px(x))}" y="${H - m.bottom + 16}" text-anchor="middle">${x}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#111"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#111"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - m.bottom + 34}" text-anchor="middle">offered msg/s</text>`,
    `<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">ms (log scale)</text>`,
    `<line x1="${m.left}" x2="${W - m.right}" y1="${f(py(TARGETS.durableP99Ms))}" y2="${f(py(TARGETS.durableP99Ms))}" stroke="#16a34a" stroke-dasharray="2 3"/>`,
    `<text x="${W - m.right - 4}" y="${f(py(TARGETS.durableP99Ms) - 4)}" text-anchor="end" fill="#16a34a">p99 target ${TARGETS.durableP99Ms} ms</text>`,
  );
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ');
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts}"/>`,
      ...s.points.map(([x, y]) => `<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${s.color}"/>`),
    );
  }
  series.forEach((s, i) => {
    const y = H - m.bottom + 56 + Math.floor(i / 2) * 18;
    const x = m.left + (i % 2) * 320;
    out.push(
      `<line x1="${x}" x2="${x + 28}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${x + 34}" y="${y}">${esc(s.label)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// ---- the README section

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** `readme` with the text between the bench markers replaced by `section`; throws when the markers are missing. */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, start + README_START.length)}\n${section}\n${readme.slice(end)}`;
}

/** What the README shows: the table with its machine, and links to the chart and the JSON. */
export function readmeSection(r: BenchResults, chartPath: string, jsonPath: string): string {
  return [
    renderTable(r),
    '',
    `Chart of the durable path against the client broadcast: [${chartPath}](${chartPath}); every figure: [${jsonPath}](${jsonPath}).`,
    '',
    `![latency against offered rate](${chartPath})`,
  ].join('\n');
}
