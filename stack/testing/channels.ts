// Private-channel probes for tests: subscribe with the official client, record every broadcast, await the next one.
import type { RealtimeChannel } from '@supabase/supabase-js';
import type { Client } from './stack.ts';

export interface Received {
  event: string;
  payload: Record<string, unknown>;
}

export class ChannelProbe {
  readonly received: Received[] = [];
  private waiters: { event: string; match: (p: Record<string, unknown>) => boolean; resolve: (p: Received) => void }[] =
    [];

  constructor(readonly channel: RealtimeChannel) {
    channel.on('broadcast', { event: '*' }, ({ event, payload }) => {
      const item = { event, payload: payload as Record<string, unknown> };
      this.received.push(item);
      for (const w of [...this.waiters]) {
        if (w.event === event && w.match(item.payload)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(item);
        }
      }
    });
  }

  /** The next (or an already received) broadcast of `event` that matches; rejects after `ms`. */
  next<T = Record<string, unknown>>(
    event: string,
    match: (p: Record<string, unknown>) => boolean = () => true,
    ms = 5000,
  ): Promise<T> {
    const seen = this.received.find((r) => r.event === event && match(r.payload));
    if (seen) return Promise.resolve(seen.payload as T);
    return new Promise((resolve, reject) => {
      const waiter = {
        event,
        match,
        resolve: (r: Received) => {
          clearTimeout(timer);
          resolve(r.payload as T);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${event} broadcast within ${ms} ms on ${this.channel.topic}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  count(event: string, match: (p: Record<string, unknown>) => boolean = () => true): number {
    return this.received.filter((r) => r.event === event && match(r.payload)).length;
  }
}

/** Subscribes to a private channel; resolves once SUBSCRIBED, rejects with the server's reason otherwise. */
export function subscribePrivate(client: Client, topic: string, ms = 8000): Promise<ChannelProbe> {
  const channel = client.channel(topic, { config: { private: true } });
  const probe = new ChannelProbe(channel);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to the join of ${topic} within ${ms} ms`)), ms);
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve(probe);
      } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
        clearTimeout(timer);
        void client.removeChannel(channel); // stop the client's automatic rejoin attempts
        reject(err ?? new Error(status));
      }
    });
  });
}
