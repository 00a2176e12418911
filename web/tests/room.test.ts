// The meeting room in a real browser (Debian's Chromium through playwright-core) against the whole local platform:
// Alice, Bob and Carol of Acme in one live meeting, each in a browser context of their own, and Dave of Globex as the
// outsider. Every assertion is what a person sees, found by role and label. The page is a development build
// (React's checks on) served by stack/web exactly as npm start serves it, and every page's console must stay free
// of errors and warnings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { demoKeys } from '../../stack/config.ts';
import { createLogger } from '../../stack/log.ts';
import { seedMeetings, seedUsers } from '../../stack/testing/seed.ts';
import { startWebService, type WebService } from '../../stack/web/index.ts';
import { startTestStack, type TestStack } from '../../stack/testing/stack.ts';
import { artifactPath, ConsoleWatch, launchBrowser, newPage, signIn } from './browser.ts';

// Ports of this suite's own platform (API, DB = +1, services +59/+70..72, page +9): used by no other test.
const API_PORT = 29321;
const WEB_PORT = 29330;

const consoleWatch = new ConsoleWatch();
let stack: TestStack;
let web: WebService;
let browser: Browser;
const pages = {} as Record<'alice' | 'bob' | 'carol' | 'dave', Page>;
const contexts = {} as Record<'alice' | 'bob' | 'carol' | 'dave', BrowserContext>;

// -- what a person sees, by role and label --------------------------------------------------------------------

const messagesLog = (page: Page) => page.getByRole('log', { name: 'Messages' });
const message = (page: Page, text: string | RegExp) =>
  messagesLog(page).getByRole('listitem').filter({ hasText: text });
const participant = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Participants' })
    .getByRole('listitem')
    .filter({ has: page.getByText(name, { exact: false }) })
    .first();
const meetingItem = (page: Page, title: string) =>
  page.getByRole('list', { name: 'Meetings' }).getByRole('listitem').filter({ hasText: title });
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const shows = (locator: Locator, timeout = 10_000) => locator.waitFor({ state: 'visible', timeout });
const gone = (locator: Locator, timeout = 10_000) => locator.waitFor({ state: 'hidden', timeout });

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  // Stored: shown as a message of mine without the pending state.
  await shows(message(page, text).filter({ hasNotText: 'Sending…' }));
}

/** The contents of every message on `page` that matches `pattern`, in the order shown. */
async function contents(page: Page, pattern: RegExp): Promise<string[]> {
  const all = await messagesLog(page).locator('li.message .content').allTextContents();
  return all.filter((t) => pattern.test(t));
}

async function joinWeeklySync(page: Page): Promise<void> {
  await meetingItem(page, 'Weekly sync').getByRole('button', { name: 'Join Weekly sync' }).click();
  await shows(page.getByRole('status').filter({ hasText: 'Connected' }), 15_000);
}

describe('the meeting room in Chromium', { timeout: 150_000 }, () => {
  before(async () => {
    const log = createLogger('web-test');
    const [started, service] = await Promise.all([
      startTestStack('web', API_PORT),
      startWebService({
        port: WEB_PORT,
        config: { apiUrl: `http://127.0.0.1:${API_PORT}`, anonKey: demoKeys.anonKey },
        log,
        mode: 'development',
      }),
    ]);
    stack = started;
    web = service;
    await web.ready;
    // Weekly sync gets a longer past (150 more messages, hours old so no rate limit counts them): the room opens on
    // the newest ones and scrolls back page by page.
    await stack.sql`
      insert into public.messages (meeting_id, sender_id, client_id, content, created_at)
      select ${seedMeetings.weeklySync}, (array[${seedUsers.alice.id}, ${seedUsers.bob.id}, ${seedUsers.carol.id}]::uuid[])[1 + i % 3],
             'history-' || i, 'history ' || lpad(i::text, 3, '0'), now() - interval '2 hours' + i * interval '1 second'
      from generate_series(1, 150) as i`;
    browser = await launchBrowser();
    const opened = await Promise.all([
      newPage(browser, consoleWatch, 'alice'),
      newPage(browser, consoleWatch, 'bob'),
      newPage(browser, consoleWatch, 'carol', { width: 375, height: 812 }), // a phone
      newPage(browser, consoleWatch, 'dave'),
    ]);
    (['alice', 'bob', 'carol', 'dave'] as const).forEach((who, i) => {
      contexts[who] = opened[i].context;
      pages[who] = opened[i].page;
    });
    await Promise.all([
      signIn(pages.alice, web.url, 'alice'),
      signIn(pages.bob, web.url, 'bob', 'form'),
      signIn(pages.carol, web.url, 'carol'),
      signIn(pages.dave, web.url, 'dave'),
    ]);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await stack?.stop();
  });

  it("lists the organization's meetings live: one created and started by Alice appears and turns live for Bob, never for Dave", async () => {
    const { alice, bob, dave } = pages;
    await shows(meetingItem(bob, 'Weekly sync').filter({ hasText: 'Live' }));
    await alice.getByLabel('Title').fill('Design review');
    await alice.getByRole('button', { name: 'Create meeting' }).click();
    await shows(meetingItem(alice, 'Design review').filter({ hasText: 'Scheduled' }));
    await shows(meetingItem(bob, 'Design review').filter({ hasText: 'Scheduled' })); // Postgres Changes, no reload

    await meetingItem(alice, 'Design review').getByRole('button', { name: 'Join Design review' }).click();
    await alice.getByRole('button', { name: 'Start meeting' }).click();
    await shows(alice.getByRole('status').filter({ hasText: 'Live' }));
    await shows(meetingItem(bob, 'Design review').filter({ hasText: 'Live' }));
    await alice.getByRole('button', { name: 'Leave meeting' }).click();
    await shows(meetingItem(alice, 'Design review'));

    await shows(meetingItem(dave, 'Globex stand-up'));
    assert.equal(await meetingItem(dave, 'Weekly sync').count(), 0, "Dave does not see Acme's meetings");
    assert.equal(await meetingItem(dave, 'Design review').count(), 0);
  });

  it("keeps the outsider out: Dave opening Weekly sync's link is told it is not available", async () => {
    const { dave } = pages;
    await dave.goto(`${web.url}/#/meetings/${seedMeetings.weeklySync}`);
    await shows(dave.getByRole('heading', { name: 'Meeting not available' }));
    await shows(dave.getByRole('alert').filter({ hasText: 'not allowed to see it' }));
    assert.equal(await messagesLog(dave).count(), 0, 'no chat of that meeting on his page');
  });

  it('refuses Carol at the invite-only meeting she has not accepted: the reason in words (403), no "Try again"', async () => {
    const { carol } = pages;
    await consoleWatch.refusedDuring(carol, 403, async () => {
      await meetingItem(carol, 'Leadership review').getByRole('button', { name: 'Join Leadership review' }).click();
      await shows(
        carol
          .getByRole('alert')
          .filter({ hasText: 'You cannot join this meeting: accept the invitation to join this meeting' }),
      );
    });
    assert.equal(await carol.getByRole('button', { name: 'Try again' }).count(), 0, 'a refusal is not retried');
    assert.equal(await messagesLog(carol).count(), 0, 'no chat of that meeting on her page');
    await carol.getByRole('button', { name: 'Back to meetings' }).click();
    await shows(meetingItem(carol, 'Weekly sync'));
  });

  it('puts Alice, Bob and Carol in one live room: history with scroll-back, participants online', async () => {
    const { alice, bob, carol } = pages;
    await Promise.all([joinWeeklySync(alice), joinWeeklySync(bob), joinWeeklySync(carol)]);
    for (const page of [alice, bob, carol]) {
      for (const name of ['Alice Admin', 'Bob Builder', 'Carol Chen']) {
        await shows(participant(page, name).filter({ hasText: 'Online' }));
      }
    }
    await shows(message(alice, 'history 150'));
    assert.equal(await message(alice, 'history 001').count(), 0, 'the room opens on the newest messages');
    // Scroll-back, a page at a time (keyset by seq), until the first message of the meeting.
    const older = alice.getByRole('button', { name: 'Load older messages' });
    await older.click();
    await shows(message(alice, 'history 001'));
    assert.equal(await message(alice, 'Welcome to the weekly sync!').count(), 0, 'one page at a time');
    await older.click();
    await shows(message(alice, 'Welcome to the weekly sync!'));
    await shows(alice.getByText("The beginning of this meeting's chat."));
    const history = await contents(alice, /^history \d+$/);
    assert.deepEqual(
      history,
      Array.from({ length: 150 }, (_, i) => `history ${String(i + 1).padStart(3, '0')}`),
      'in order, once each',
    );
    // The phone-sized page has no sideways scrolling.
    assert.ok(
      await carol.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no horizontal overflow at 375 px',
    );
  });

  it('delivers a message, typing, a reaction three people click at once, a raised hand, an edit and a delete to everyone', async () => {
    const { alice, bob, carol } = pages;
    await send(alice, 'Hello from Alice');
    await Promise.all([shows(message(bob, 'Hello from Alice')), shows(message(carol, 'Hello from Alice'))]);

    await composer(bob).fill('I am typing');
    await Promise.all([
      shows(alice.getByText('Bob Builder is typing…')),
      shows(carol.getByText('Bob Builder is typing…')),
    ]);
    await composer(bob).fill('');
    await Promise.all([
      gone(alice.getByText('Bob Builder is typing…')),
      gone(carol.getByText('Bob Builder is typing…')),
    ]);

    for (const page of [alice, bob, carol])
      await message(page, 'Hello from Alice').getByRole('button', { name: 'Add reaction' }).click();
    await Promise.all(
      [alice, bob, carol].map((page) =>
        message(page, 'Hello from Alice').getByRole('button', { name: 'React with 👍' }).click(),
      ),
    );
    for (const page of [alice, bob, carol]) {
      await shows(message(page, 'Hello from Alice').getByRole('button', { name: '👍 3', exact: true }));
    }

    await carol.getByRole('button', { name: 'Raise hand' }).click();
    await shows(carol.getByRole('button', { name: 'Raise hand', pressed: true }));
    for (const page of [alice, bob, carol])
      await shows(participant(page, 'Carol Chen').filter({ hasText: 'Hand raised' }));
    await alice.getByRole('button', { name: 'Camera' }).click(); // Alice's camera was on in the seed
    await shows(participant(bob, 'Alice Admin').filter({ hasText: 'Camera off' }));

    await alice.mouse.move(0, 0);
    const board = await alice.getByRole('application', { name: /Shared board/ }).boundingBox();
    assert.ok(board, 'the shared board is on screen');
    await alice.mouse.move(board.x + board.width * 0.3, board.y + board.height * 0.6, { steps: 5 });
    await shows(bob.getByRole('img', { name: "Alice Admin's cursor" }));

    await message(alice, 'Hello from Alice').getByRole('button', { name: 'Edit' }).click();
    await alice.getByRole('textbox', { name: 'Edit message' }).fill('Hello everyone');
    await alice.getByRole('button', { name: 'Save' }).click();
    for (const page of [alice, bob, carol])
      await shows(message(page, 'Hello everyone').filter({ hasText: '(edited)' }));
    assert.equal(await message(carol, 'Hello from Alice').count(), 0, 'the old text is gone');
    assert.ok(
      await message(carol, 'Hello everyone').getByRole('button', { name: '👍 3', exact: true }).isVisible(),
      'reactions survive the edit',
    );

    await send(bob, 'Oops, wrong room');
    await Promise.all([shows(message(alice, 'Oops, wrong room')), shows(message(carol, 'Oops, wrong room'))]);
    await message(bob, 'Oops, wrong room').getByRole('button', { name: 'Delete' }).click();
    for (const page of [alice, bob, carol]) await gone(message(page, 'Oops, wrong room'));
    await shows(message(carol, 'This message was deleted.'));

    // Bob's view: Alice's cursor on the board, the reactions, Carol's hand.
    const screenshot = artifactPath('room.png');
    await bob.screenshot({ path: screenshot, fullPage: true });
    console.log(`# screenshot of the room: ${screenshot}`);
  });

  it('catches a member up after she was offline: 20 messages, each once, in order (network off; then also her socket dropped)', async () => {
    const { alice, bob, carol } = pages;
    for (const round of ['offline', 'dropped'] as const) {
      // Round two also restarts Realtime while Carol is offline: her socket is gone for sure (the others reconnect).
      await consoleWatch.cutOffDuring(round === 'dropped' ? Object.values(pages) : [carol], async () => {
        await contexts.carol.setOffline(true);
        await shows(carol.getByRole('status').filter({ hasText: 'You are offline' }));
        if (round === 'dropped') {
          await stack.handle.stopService('realtime');
          await stack.handle.startService('realtime');
        }
        const texts = Array.from({ length: 20 }, (_, i) => `${round} ${String(i + 1).padStart(2, '0')}`);
        for (const [i, text] of texts.entries()) await send(i % 2 === 0 ? alice : bob, text);
        await Promise.all([shows(message(bob, texts[19]), 20_000), shows(message(alice, texts[18]), 20_000)]);
        assert.deepEqual(
          await contents(carol, new RegExp(`^${round} \\d+$`)),
          [],
          `${round}: nothing reached her while offline`,
        );
        await contexts.carol.setOffline(false);
        await shows(message(carol, texts[19]), 20_000);
        await shows(carol.getByRole('status').filter({ hasText: 'Connected' }), 20_000);
        assert.deepEqual(
          await contents(carol, new RegExp(`^${round} \\d+$`)),
          texts,
          `${round}: all 20, once each, in order`,
        );
        assert.deepEqual(
          await contents(bob, new RegExp(`^${round} \\d+$`)),
          texts,
          `${round}: Bob has them once each too`,
        );
      });
    }
  });

  it('tells a sender over the rate limit that the message waits, and for how many seconds (429)', async () => {
    const { alice, bob } = pages;
    // One message a minute: Bob has sent more than that in the last one.
    await stack.sql`update private.settings set value = '1'::jsonb where key = 'message_rate_limit'`;
    try {
      await consoleWatch.refusedDuring(bob, 429, async () => {
        await composer(bob).fill('Too fast?');
        await composer(bob).press('Enter');
        await shows(message(bob, 'Too fast?').filter({ hasText: /Too many messages \(429\): sending again in \d+ s/ }));
      });
    } finally {
      await stack.sql`update private.settings set value = '30'::jsonb where key = 'message_rate_limit'`;
    }
    assert.equal(await message(alice, 'Too fast?').count(), 0, 'nobody else has it yet');
  });

  it('lets the host remove a participant: her page says so and receives nothing more', async () => {
    const { alice, bob, carol } = pages;
    await participant(alice, 'Carol Chen').getByRole('button', { name: 'Remove Carol Chen' }).click();
    await shows(carol.getByRole('alert').filter({ hasText: 'You were removed from this meeting' }));
    await gone(participant(alice, 'Carol Chen'));
    await send(alice, 'After Carol left');
    await shows(message(bob, 'After Carol left'));
    assert.equal(await message(carol, 'After Carol left').count(), 0, 'the removed page receives nothing more');
    assert.equal(await composer(carol).count(), 0, 'and cannot write');
  });

  it('lets the host end the meeting: everyone still in it sees it ended', async () => {
    const { alice, bob } = pages;
    await alice.getByRole('button', { name: 'End meeting' }).click();
    await alice.getByRole('button', { name: 'End for everyone' }).click();
    for (const page of [alice, bob])
      await shows(page.getByRole('alert').filter({ hasText: 'The host ended this meeting.' }));
    assert.equal(await composer(bob).count(), 0, 'no more writing');
    await bob.getByRole('button', { name: 'Back to meetings' }).click();
    await shows(meetingItem(bob, 'Weekly sync').filter({ hasText: 'Ended' }));
  });

  it('logged no console error or warning on any page', () => {
    if (consoleWatch.allowed.length)
      console.log(
        `# the browser's own lines for requests this test made fail on purpose (allowed):\n#   ${consoleWatch.allowed.join('\n#   ')}`,
      );
    assert.deepEqual(consoleWatch.list(), []);
  });
});
