// What the browser tests and bench:web share: Debian's Chromium driven by playwright-core (Playwright cannot
// download browsers here), pages signed in through the page itself, and a watch on every page's console that
// fails on any error or warning the page did not have to expect.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type ConsoleMessage, type Page } from 'playwright-core';
import { projectRoot } from '../../stack/config.ts';
import { systemFile } from '../../stack/system/index.ts';

/** Chromium's flags for a headless run in a container (no sandbox as root, no GPU, nothing phoning home). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where tests leave what a person may want to look at (git-ignored with the rest of .stack/). */
export const artifactsDir = join(projectRoot, '.stack', 'test-artifacts');

/** Chromium from stack/system's list; each launch gets a fresh temporary profile (user-data-dir) of its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: systemFile('chromium'), headless: true, args: CHROMIUM_ARGS });
}

export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}

/**
 * Every console message of type error or warning, and every uncaught page error, of every watched page. The only
 * ones a test may allow are the browser's own lines for requests the test made fail on purpose, while it does: it
 * cut a page off (offline, or Realtime restarted under it), or it expects a refusal (an HTTP status). Chromium logs
 * each such request or WebSocket itself, and no page code can stop it; a line our code logs never matches.
 */
export class ConsoleWatch {
  private readonly problems: string[] = [];
  private readonly expected = new Map<Page, RegExp[]>();
  readonly allowed: string[] = [];

  watch(page: Page, who: string): Page {
    page.on('console', (message: ConsoleMessage) => {
      const type = message.type();
      if (type !== 'error' && type !== 'warning') return;
      const text = message.text();
      const line = `${who}: console.${type}: ${text.replace(/apikey=[^&'\s]+/g, 'apikey=…')} (${message.location().url})`;
      if ((this.expected.get(page) ?? []).some((p) => p.test(text))) this.allowed.push(line);
      else this.problems.push(line);
    });
    page.on('pageerror', (error) => this.problems.push(`${who}: uncaught ${error.name}: ${error.message}`));
    return page;
  }

  /** Runs `fn` while `pages` are cut off from (part of) the platform: the network failures they log are expected. */
  cutOffDuring<T>(pages: Page[], fn: () => Promise<T>): Promise<T> {
    return this.during(pages, networkFailures, fn);
  }

  /** Runs `fn` while `page` is expected to be refused with `status` (Chromium logs every 4xx a fetch receives). */
  refusedDuring<T>(page: Page, status: number, fn: () => Promise<T>): Promise<T> {
    return this.during(
      [page],
      [new RegExp(`^Failed to load resource: the server responded with a status of ${status} `)],
      fn,
    );
  }

  private async during<T>(pages: Page[], patterns: RegExp[], fn: () => Promise<T>): Promise<T> {
    for (const page of pages) this.expected.set(page, [...(this.expected.get(page) ?? []), ...patterns]);
    try {
      return await fn();
    } finally {
      for (const page of pages) this.expected.delete(page);
    }
  }

  /** The errors and warnings seen so far (empty when every page stayed clean). */
  list(): string[] {
    return [...this.problems];
  }
}

/** Chromium's own lines for a request or WebSocket that failed at the network level, or met a gateway without Realtime. */
const networkFailures = [
  /net::ERR_INTERNET_DISCONNECTED|net::ERR_NETWORK_CHANGED|net::ERR_CONNECTION_REFUSED/,
  /^WebSocket connection to '[^']*\/realtime\/v1\/websocket[^']*' failed/,
  /^Failed to load resource: the server responded with a status of 502 /,
];

export type DemoUser = 'alice' | 'bob' | 'carol' | 'dave';
export const demoNames: Record<DemoUser, string> = {
  alice: 'Alice Admin',
  bob: 'Bob Builder',
  carol: 'Carol Chen',
  dave: 'Dave Doe',
};
export const demoEmails: Record<DemoUser, string> = {
  alice: 'alice@acme.test',
  bob: 'bob@acme.test',
  carol: 'carol@acme.test',
  dave: 'dave@globex.test',
};

/** Opens the page and signs in as `user`: with the quick pick, or by typing email and password into the form. */
export async function signIn(
  page: Page,
  url: string,
  user: DemoUser,
  how: 'quick pick' | 'form' = 'quick pick',
): Promise<void> {
  await page.goto(url);
  if (how === 'quick pick') {
    await page.getByRole('button', { name: new RegExp(`^Sign in as ${demoNames[user]}`) }).click();
  } else {
    await page.getByRole('textbox', { name: 'Email' }).fill(demoEmails[user]);
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  await page.getByText(`Signed in as ${demoNames[user]}`).waitFor();
}

export async function newPage(
  browser: Browser,
  console: ConsoleWatch,
  who: string,
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = console.watch(await context.newPage(), who);
  return { context, page };
}
