// docs/capacity.md against a fresh computation: its generated section must be what `npm run capacity` prints today,
// so a change of the client's rates (MEETING_DEFAULTS) or of a stated rate shows up as a failing test until the doc
// is rewritten (`npm run capacity -- --write`). A few cells are computed by hand here, apart from the script's code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MEETING_DEFAULTS } from '../client/src/meeting.ts';
import {
  ACTIVITY,
  PLANS,
  capacityDoc,
  defaultInputs,
  fillSeconds,
  fit,
  generatedSection,
  meetingLoad,
  naiveClient,
  renderCapacity,
  shippedClient,
} from '../scripts/capacity.ts';

const plan = (name: string) => PLANS.find((p) => p.name === name)!;

describe('docs/capacity.md', () => {
  it('holds the tables a fresh computation gives (npm run capacity -- --write rewrites them)', () => {
    const section = generatedSection(readFileSync(capacityDoc, 'utf8'));
    assert.equal(section, renderCapacity(), 'docs/capacity.md is stale: run `npm run capacity -- --write`');
  });

  it("follows the client's rates: a slower cursor halves the cursor traffic and changes the tables", () => {
    const slower = { ...MEETING_DEFAULTS, cursorIntervalMs: MEETING_DEFAULTS.cursorIntervalMs * 2 };
    const before = meetingLoad(50, ACTIVITY, shippedClient());
    const after = meetingLoad(50, ACTIVITY, shippedClient(slower));
    assert.equal(after.cursors, before.cursors / 2);
    assert.notEqual(renderCapacity(defaultInputs(slower)), renderCapacity());
  });
});

describe('capacity cells computed by hand', () => {
  // Stated rates: 0.5 chat messages a minute, 12 s of typing before each, 20 % of people on the board moving 10 % of
  // the time, 45 min stays. The client: a typing beat every 2 s, cursors at 20 Hz.
  it('a meeting of 10, as shipped: 46.83 messages/s, so 2 fit on Free and messages/s binds', () => {
    const sends = (10 * 0.5) / 60; // chat messages per second in the meeting
    const chat = sends * 11; // 1 sent + 10 delivered
    const typing = sends * 7 * 10; // beats at 0, 2, 4, 6, 8, 10 s and a stop; 1 sent + 9 delivered each
    const cursors = 10 * 0.2 * 0.1 * 20 * 10; // 0.2 people moving, 20 events/s, 10 messages each = 40
    const membership = (10 / 2700) * 21; // a join (10) and a leave (11) per stay
    const expected = chat + typing + cursors + membership;
    const load = meetingLoad(10, ACTIVITY, shippedClient());
    assert.ok(Math.abs(load.messages - expected) < 1e-9, `${load.messages} vs ${expected}`);
    assert.ok(Math.abs(expected - 46.828) < 0.001);
    assert.deepEqual(
      PLANS.map((p) => fit(p, load, shippedClient()).meetings),
      [2, 10, 53], // 100, 500 and 2,500 messages/s ÷ 46.83
    );
    assert.equal(fit(plan('Free'), load, shippedClient()).binding, 'messages/s');
    assert.match(
      renderCapacity(),
      /\| 10 \| \*\*2\*\* \(messages\/s\) \| \*\*10\*\* \(messages\/s\) \| \*\*53\*\* \(messages\/s\) \|/,
    );
  });

  it('meetings of 10 with no one on the board: Pro runs out of connections first (50), not messages (73)', () => {
    const load = meetingLoad(10, { ...ACTIVITY, cursorPeople: 0 }, shippedClient());
    assert.ok(Math.abs(load.messages - (0.9167 + 5.8333 + 0.0778)) < 0.001);
    assert.deepEqual(fit(plan('Pro'), load, shippedClient()), { meetings: 50, binding: 'connections', ratio: 50 });
  });

  it('a naive client sends 61 typing events per 12 s burst and 60 cursor events a second', () => {
    const naive = naiveClient();
    assert.equal(naive.typingEventsPerBurst(12), 12 * 5 + 1);
    assert.equal(shippedClient().typingEventsPerBurst(12), 7);
    assert.ok(Math.abs(meetingLoad(200, ACTIVITY, naive).cursors - 48_000) < 1e-6); // 4 people moving × 60 × 200
  });

  it('filling a meeting of 200 on Team takes 20.5 s of the presence quota: 2 fill within a minute', () => {
    // 200 tracks + 200 join-time states + diffs to 1 + 2 + … + 200 members = 20,500 presence messages at 1,000/s.
    const { seconds, binding } = fillSeconds(plan('Team'), 200, shippedClient());
    assert.equal(binding, 'presence/s');
    assert.equal(seconds, 20.5);
  });
});
