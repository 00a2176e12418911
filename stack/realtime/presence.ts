// Presence per topic, as Phoenix.Presence shapes it: one meta per channel under the channel's key, each meta with
// an opaque `phx_ref`; updates leave the old meta and join a new one carrying `phx_ref_prev`. Diffs fan out to
// every channel of the topic (private ones only with presence read), including the tracking channel itself.
import { randomBytes } from 'node:crypto';
import type { Channel } from './channel.ts';
import { type Context } from './context.ts';
import { fanoutPresence } from './fanout.ts';

type Meta = Record<string, unknown> & { phx_ref: string };
interface Entry {
  key: string;
  meta: Meta;
  json: string;
}
type Metas = Record<string, { metas: Meta[] }>;

// Refs look like Phoenix's (base64 of a unique integer); clients treat them as opaque.
const refPrefix = randomBytes(6).toString('base64url');
let refCounter = 0;
const nextRef = () => `F${refPrefix}${(++refCounter).toString(36)}`;

export class PresenceStore {
  private topics = new Map<string, Map<Channel, Entry>>();

  /** `presence_state` payload: every key with its metas. */
  state(key: string): Metas {
    const out: Metas = Object.create(null);
    for (const e of this.topics.get(key)?.values() ?? []) (out[e.key] ??= { metas: [] }).metas.push(e.meta);
    return { ...out };
  }

  /** Tracks (or updates) the channel's meta; returns false when the payload is unchanged (no diff sent). */
  track(ctx: Context, ch: Channel, payload: Record<string, unknown>): boolean {
    let entries = this.topics.get(ch.key);
    if (!entries) this.topics.set(ch.key, (entries = new Map()));
    const json = JSON.stringify(payload);
    const prev = entries.get(ch);
    if (prev && prev.json === json) return false;
    const meta: Meta = { ...payload, phx_ref: nextRef() };
    if (prev) meta.phx_ref_prev = prev.meta.phx_ref;
    entries.set(ch, { key: ch.presenceKey, meta, json });
    const diff = { joins: { [ch.presenceKey]: { metas: [meta] } }, leaves: {} as Metas };
    if (prev) diff.leaves[prev.key] = { metas: [prev.meta] };
    fanoutPresence(ctx, ch.key, ch.topic, diff);
    return true;
  }

  /** Removes the channel's meta (untrack, leave, socket close) and tells the topic. */
  untrack(ctx: Context, ch: Channel): void {
    const entries = this.topics.get(ch.key);
    const prev = entries?.get(ch);
    if (!entries || !prev) return;
    entries.delete(ch);
    if (entries.size === 0) this.topics.delete(ch.key);
    fanoutPresence(ctx, ch.key, ch.topic, { joins: {}, leaves: { [prev.key]: { metas: [prev.meta] } } });
  }
}
