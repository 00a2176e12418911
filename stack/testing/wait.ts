// Waiting on events instead of sleeping: every wait has a timeout that names what did not happen.

/** Resolves with the first value `register` delivers, or rejects after `ms`. */
export function waitFor<T>(what: string, register: (resolve: (v: T) => void) => void, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    register((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Collects every value pushed to it; `next(n)` waits until n values have arrived. */
export class Inbox<T> {
  items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  push = (v: T): void => {
    this.items.push(v);
    this.waiters = this.waiters.filter((w) => (this.items.length >= w.n ? (w.resolve(), false) : true));
  };
  async next(n: number, what = 'messages', ms = 5000): Promise<T[]> {
    if (this.items.length < n) {
      await waitFor<void>(
        `${n} ${what}`,
        (resolve) => {
          this.waiters.push({ n, resolve: () => resolve() });
        },
        ms,
      );
    }
    return this.items.slice(0, n);
  }
}
