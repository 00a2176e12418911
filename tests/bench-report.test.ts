// The rendering of `npm run bench` (scripts/bench/report.ts) from a fixed results object: the table shows each
// measure with its spread and each target with whether it is met, the chart draws the durable path and the client
// broadcast at every offered rate, and the README section is replaced between its markers only. No bench runs here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chartSeries,
  fmtStat,
  readmeSection,
  README_END,
  README_START,
  renderChart,
  renderTable,
  replaceReadmeSection,
  stat,
  tableRows,
  type BenchResults,
  type DurableRun,
  type FanoutPeerResult,
  type Stat,
} from '../scripts/bench/report.ts';

const s = (median: number, min = median, max = median, n = 3): Stat => ({ median, min, max, n });
const peer = (cpu: number, p99: number): FanoutPeerResult => ({
  cpuUsPerDelivery: s(cpu),
  p50Ms: s(p99 / 4),
  p95Ms: s(p99 / 2),
  p99Ms: s(p99),
  peakDeliveriesPerSecond: s(100_000),
});
const run = (
  mode: DurableRun['mode'],
  rate: number,
  p50: number,
  p99: number,
  cpu: number,
  failed = 0,
): DurableRun => ({
  mode,
  offeredRate: rate,
  achievedRate: s(rate * 0.99, rate * 0.98, rate),
  p50Ms: s(p50),
  p95Ms: s((p50 + p99) / 2),
  p99Ms: s(p99, p99 * 0.9, p99 * 1.1),
  failed,
  lost: 0,
  serverCpuMsPerMessage: s(cpu),
  cpuByProcess: { 'bench harness (invoker and receivers)': 0.5, 'deno workers': cpu / 2, 'postgres backends': cpu / 2 },
});

function fixture(): BenchResults {
  return {
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGb: 8,
      os: 'Debian GNU/Linux 12',
      node: 'v20.0.0',
      date: '2026-12-05T10:00:00.000Z',
    },
    quick: false,
    seconds: 840,
    realtime: {
      rounds: 3,
      measureMs: 2000,
      fanouts: [
        { receivers: 1, rate: 1000, peers: { realtime: peer(9, 0.5), ws: peer(10, 0.5), socketio: peer(20, 0.8) } },
        // 1.5× ws CPU: not met
        { receivers: 50, rate: 200, peers: { realtime: peer(3, 1), ws: peer(2, 1), socketio: peer(6, 2) } },
        // p99 1.5× ws: not met
        { receivers: 200, rate: 50, peers: { realtime: peer(2, 3), ws: peer(2, 2), socketio: peer(5, 4) } },
      ],
      idle: [
        { requested: 5000, sockets: 5000, kbPerSocket: { realtime: 6.5, ws: 3, socketio: 12 } },
        {
          requested: 20_000,
          sockets: 19_900,
          kbPerSocket: { realtime: 7.5, ws: 3, socketio: 12 },
          skipped: 'open-file limit 20000 holds 19900',
        },
      ],
      privateJoinsPerSecond: s(2500, 2400, 2600),
      joins: { sockets: 200, perSocket: 10 },
    },
    durable: {
      receivers: 50,
      senders: 50,
      seconds: 5,
      warmupSeconds: 2,
      rounds: 3,
      runs: [
        run('invoke', 200, 4, 12, 1.2),
        run('broadcast', 200, 1, 3, 0.3),
        run('invoke', 500, 6, 20, 1.4),
        run('broadcast', 500, 1.5, 4, 0.3),
        run('invoke', 1000, 40, 400, 1.6, 12),
        run('broadcast', 1000, 2, 8, 0.3),
      ],
    },
    dbEvents: {
      samplesPerRound: 100,
      rounds: 3,
      events: [
        { label: 'realtime.send() over SQL', p50Ms: s(1.5), p99Ms: s(6), lost: 0 },
        { label: 'status trigger', p50Ms: s(2.5), p99Ms: s(9), lost: 0 },
      ],
    },
    database: {
      pgbench: {
        clients: 4,
        seconds: 10,
        rounds: 3,
        sendMessageTps: s(3000),
        bareInsertTps: s(5000),
        ratio: s(0.6, 0.55, 0.65),
        insertOnlyRpcTps: s(4000),
        insertOnlyRpcRatio: s(0.8, 0.75, 0.85),
      },
      getMessages: { messages: 1_000_000, pageSize: 50, calls: 1000, p50Ms: s(0.3), p99Ms: s(0.9) },
    },
    platform: { coldMs: s(21_000, 20_000, 23_000), warmMs: s(6000, 5800, 6400) },
    errors: {},
  };
}

const rowOf = (r: BenchResults, measure: string) => {
  const row = tableRows(r).find((x) => x.measure.includes(measure));
  assert.ok(row, `no row for ${measure}`);
  return row;
};

describe('bench report (scripts/bench/report.ts)', () => {
  it('takes the median and the spread of the rounds', () => {
    assert.deepEqual(stat([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
    assert.equal(stat([4, 1, 3, 2]).median, 2.5);
    assert.equal(stat([]).n, 0);
    assert.equal(fmtStat(s(1234.5, 1000, 1500)), '1,234.5 (1,000.0–1,500.0)');
    assert.equal(fmtStat(s(2, 2, 2, 1), 0, ' ms'), '2 ms');
  });

  it('judges every target of the issue from the results', () => {
    const r = fixture();
    assert.equal(rowOf(r, '1→1 @ 1,000 msg/s: server CPU').met, true);
    assert.equal(rowOf(r, '1→50 @ 200 msg/s: server CPU').met, false);
    assert.equal(rowOf(r, '1→200 @ 50 msg/s: latency').met, false);
    assert.equal(rowOf(r, '1→1 @ 1,000 msg/s: latency').met, true);
    assert.equal(rowOf(r, '@ 500 msg/s offered').met, true);
    assert.equal(rowOf(r, '@ 500 msg/s: server CPU').met, true);
    assert.equal(rowOf(r, '@ 1,000 msg/s offered').target, undefined, 'the target is at 500 msg/s only');
    assert.equal(rowOf(r, 'realtime.send()').met, true);
    assert.equal(rowOf(r, 'status trigger').met, false);
    assert.equal(rowOf(r, '5,000 sockets').met, true);
    const held = rowOf(r, '20,000 sockets');
    assert.equal(held.met, false, '20,000 sockets not held is a target not met, however small each');
    assert.match(held.result, /^7\.5 at 19,900 held \(open-file limit/);
    const send = rowOf(r, 'send_message as an authenticated user');
    assert.equal(send.met, false);
    assert.match(
      send.compared ?? '',
      /an RPC that only inserts, called the same way, 4,000 = 0\.80 \(0\.75–0\.85\)× bare insert$/,
    );

    // A failed invoke at 500 msg/s fails the target even with a good p99.
    r.durable!.runs[2] = run('invoke', 500, 6, 20, 1.4, 1);
    assert.equal(rowOf(r, '@ 500 msg/s offered').met, false);
  });

  it('prints one markdown table with the machine, spreads, targets and verdicts', () => {
    const table = renderTable(fixture());
    const lines = table.split('\n');
    assert.match(lines[0], /Machine: 2026-12-05, Test CPU, 2 cores, 8\.0 GB RAM, Debian GNU\/Linux 12, Node v20\.0\.0/);
    const rows = lines.filter((l) => l.startsWith('| '));
    assert.equal(rows[0], '| section | measure | result | compared with | target | met |');
    assert.ok(
      rows.slice(1).every((l) => l.split(' | ').length === 6),
      'every row has six cells',
    );
    assert.ok(table.includes('21,000 ms (20,000–23,000)'), 'the cold start with its spread');
    assert.ok(table.includes('❌ not met') && table.includes('✅ met'));
    assert.ok(!/\bNaN\b|undefined/.test(table), table);
    const failed = renderTable({ ...fixture(), errors: { database: 'pgbench failed\nline 2' } });
    assert.match(failed, /Sections that failed:\n- database: pgbench failed$/);
  });

  it('draws p50 and p99 of both paths against every offered rate, with the target line', () => {
    const r = fixture();
    const series = chartSeries(r.durable!);
    assert.equal(series.length, 4);
    for (const line of series)
      assert.deepEqual(
        line.points.map((p) => p[0]),
        [200, 500, 1000],
      );
    const svg = renderChart(r.durable!, r.machine);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(svg.match(/<polyline /g)?.length, 4);
    assert.equal(svg.match(/<circle /g)?.length, 12);
    assert.ok(svg.includes('p99 target 25 ms'));
    assert.ok(svg.includes("functions.invoke('send-message') p99"));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    // Higher latency is drawn higher up (smaller y): the invoke p99 at 1,000 msg/s above its p99 at 200.
    const ys = (label: string) =>
      [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)]
        .map((m) => m[1].split(' ').map((p) => Number(p.split(',')[1])))
        .at(series.findIndex((x) => x.label === label))!;
    const invokeP99 = ys("functions.invoke('send-message') p99");
    assert.ok(invokeP99[2] < invokeP99[0], `${invokeP99}`);
  });

  it('replaces only the README text between the bench markers', () => {
    const readme = `# Title\n\nintro\n${README_START}\nold table\n${README_END}\n\n## Next\n`;
    const section = readmeSection(fixture(), 'docs/bench/durable-path.svg', 'docs/bench/latest.json');
    const out = replaceReadmeSection(readme, section);
    assert.ok(out.startsWith(`# Title\n\nintro\n${README_START}\nMachine: 2026-12-05`), out.slice(0, 80));
    assert.ok(!out.includes('old table'));
    assert.ok(out.endsWith(`${README_END}\n\n## Next\n`));
    assert.ok(out.includes('(docs/bench/durable-path.svg)'));
    assert.equal(replaceReadmeSection(out, section), out, 'rewriting is idempotent');
    assert.throws(() => replaceReadmeSection('# no markers\n', section), /no <!-- bench:start -->/);
  });
});
