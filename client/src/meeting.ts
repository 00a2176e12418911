// One meeting, joined: `joinMeeting(supabase, meetingId)` invokes `join`, sets the Realtime token before any private
// join, subscribes to the meeting's three topics, tracks Presence, and keeps a MeetingStore in step with the server.
//
// Never losing a message: events are merged the moment they arrive (by id and version), and whenever the channels
// come back after a drop — and after a function reports `broadcast: 'failed'`, when the page becomes visible, when
// the browser comes back online, and every `syncIntervalMs` while live — it reads with get_messages everything after
// the seq its previous read reached (plus the newest page again, for edits and reactions it may have missed) and only
// then reports `live`. Both paths merge by the same rule, so events that arrive during a catch-up are kept, and
// nothing is capped the way Realtime's replay is (25 messages, 72 hours).
//
// Tokens: supabase-js forwards every token change to Realtime and re-reads the session (refreshing it when due)
// before each heartbeat and each reconnect, so a rejoin never carries an expired token; this session only makes
// sure the token is set before its first private join (a join without it looks SUBSCRIBED and hears nothing).
// Background tabs: create the client with `realtime: { worker: true }` (createMeetingClient does) so the heartbeat
// runs in a Web Worker, which browsers do not throttle like timers of a hidden page.
import { createClient, type RealtimeChannel, type RealtimePresenceState } from '@supabase/supabase-js';
import {
  type ChatMessage,
  type EphemeralEvents,
  type ErrorCode,
  type MeetingEvents,
  type MeetingPresence,
  type MeetingRow,
  type ParticipantState,
  type UserEvents,
  meetingEphemeralTopic,
  meetingTopic,
  userTopic,
  LIMITS,
} from '../../types/contract.ts';
import type { Database } from '../../types/database.ts';
import { invokeFunction, MeetingActionError, type MeetingSupabase } from './invoke.ts';
import { sendMessage } from './send.ts';
import { type ActionError, type CloseReason, MeetingStore, type MeetingState } from './state.ts';

/** The server events a session offers to `on()`: the meeting's, and the user's notices about this meeting. */
export type SessionEvents = MeetingEvents & UserEvents;

export interface MeetingOptions {
  /** A catch-up read while live, bounding how long a failed broadcast can hide a message (ms). */
  syncIntervalMs?: number;
  /** While typing, a heartbeat this often (ms); receivers drop an indicator not renewed within typingTimeoutMs. */
  typingHeartbeatMs?: number;
  typingTimeoutMs?: number;
  /** At most one cursor send per this many ms (20 Hz by default); receivers apply cursor moves in batches. */
  cursorIntervalMs?: number;
  /** How many times a send is tried while the server cannot be reached (same client_id each time). */
  maxSendAttempts?: number;
  /** Messages in the first page and in each scroll-back page. */
  pageSize?: number;
  /** How long to wait for all channels to join before reporting the join as failed (ms). */
  joinTimeoutMs?: number;
}

/** The client's rates and timings when `joinMeeting` is given no options (`docs/capacity.md` is computed from them). */
export const MEETING_DEFAULTS: Required<MeetingOptions> = {
  syncIntervalMs: 20_000,
  typingHeartbeatMs: 2_000,
  typingTimeoutMs: 5_000,
  cursorIntervalMs: 50,
  maxSendAttempts: 6,
  pageSize: 50,
  joinTimeoutMs: 15_000,
};

type Topic = 'server' | 'ephemeral' | 'user';

/** A supabase-js client set up for meetings: the Realtime heartbeat in a Web Worker where there is one. */
export function createMeetingClient(
  url: string,
  anonKey: string,
  options: Parameters<typeof createClient>[2] = {},
): MeetingSupabase {
  return createClient<Database>(url, anonKey, {
    ...options,
    realtime: { worker: typeof Worker !== 'undefined', ...options.realtime },
  });
}

/** Joins a meeting and resolves once its history, participants and channels are live. */
export async function joinMeeting(
  supabase: MeetingSupabase,
  meetingId: string,
  options: MeetingOptions = {},
): Promise<MeetingSession> {
  const { data } = await supabase.auth.getSession();
  const userId = data.session?.user.id;
  if (!userId) throw new MeetingActionError('join', 401, 'not_authenticated', 'sign in before joining a meeting');
  const session = new MeetingSession(supabase, meetingId, userId, { ...MEETING_DEFAULTS, ...options });
  try {
    await session.start();
  } catch (err) {
    await session.dispose();
    throw err;
  }
  return session;
}

export class MeetingSession {
  readonly store: MeetingStore;
  private channels = new Map<Topic, RealtimeChannel>();
  private joined = new Set<Topic>();
  private everLive = false;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private intervals = new Set<ReturnType<typeof setInterval>>();
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private cursorPending: { x: number; y: number } | undefined;
  private cursorLastSent = 0;
  private cursorTimer: ReturnType<typeof setTimeout> | undefined;
  private cursorInbox = new Map<string, { x: number; y: number }>();
  private cursorFlush: ReturnType<typeof setTimeout> | undefined;
  private disposers: (() => void)[] = [];
  private eventListeners = new Map<keyof SessionEvents, Set<(payload: unknown) => void>>();
  private disposed = false;
  private healing = false;
  private downTicks = 0;
  private liveWaiters: (() => void)[] = [];
  private fullName: string | null = null;
  /** The seq through which the last catch-up read (or the join's history) saw every stored message. */
  private syncedSeq = 0;

  constructor(
    readonly supabase: MeetingSupabase,
    readonly meetingId: string,
    readonly userId: string,
    private readonly opts: Required<MeetingOptions>,
  ) {
    this.store = new MeetingStore(meetingId, userId);
  }

  // -- observing ------------------------------------------------------------------------------------------------

  getState = (): MeetingState => this.store.getState();
  subscribe = (listener: () => void): (() => void) => this.store.subscribe(listener);

  /**
   * The server's events as they arrive (after they are merged into the state), typed by name: for what the state
   * does not keep, e.g. a sound on a new message or a toast on a reaction. Client events (typing, cursors) are not
   * offered here: they are claims, and the state already filters them.
   */
  on<E extends keyof SessionEvents>(event: E, listener: (payload: SessionEvents[E]) => void): () => void {
    const set = this.eventListeners.get(event) ?? new Set();
    this.eventListeners.set(event, set);
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  private emit<E extends keyof SessionEvents>(event: E, payload: SessionEvents[E]): void {
    for (const listener of [...(this.eventListeners.get(event) ?? [])]) listener(payload);
  }

  /** Resolves when the session is live (now, or after the current reconnect and catch-up). */
  whenLive(): Promise<void> {
    const state = this.getState().connection;
    if (state === 'live') return Promise.resolve();
    if (state === 'closed')
      return Promise.reject(new Error(`the meeting session is closed (${this.getState().closedReason})`));
    return new Promise((resolve) => this.liveWaiters.push(resolve));
  }

  // -- lifecycle ------------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const joined = await invokeFunction(this.supabase, 'join', { meeting_id: this.meetingId }).catch((err) => {
      this.recordError(err);
      throw err;
    });
    this.store.update((s) => {
      s.mergeParticipant(joined.participant);
      s.mergeMessages(joined.messages);
      s.setHasOlder(joined.messages.length >= 50);
    });
    this.syncedSeq = this.store.lastSeq; // the join's page is the newest: complete up to its last seq
    // The token before any private join: otherwise the join carries the anon key and hears nothing.
    await this.supabase.realtime.setAuth();
    const me = await this.supabase.from('profiles').select('full_name').eq('id', this.userId).maybeSingle();
    this.fullName = me.data?.full_name ?? null;

    const allJoined = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new MeetingActionError('join', 0, 'network', 'the meeting channels did not open in time')),
        this.opts.joinTimeoutMs,
      );
      this.liveWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.disposers.push(() => clearTimeout(timer));
    });
    if (
      joined.topic !== meetingTopic(this.meetingId) ||
      joined.ephemeral_topic !== meetingEphemeralTopic(this.meetingId)
    ) {
      throw new Error("join answered topics that are not this meeting's");
    }
    for (const topic of ['server', 'ephemeral', 'user'] as const) this.openChannel(topic);
    this.watchEnvironment();
    this.every(this.opts.syncIntervalMs, () => {
      if (this.getState().connection === 'live') void this.sync();
    });
    this.every(1000, () => {
      this.store.update((s) => s.expireTyping(Date.now()));
      void this.heal();
    });
    await allJoined;
  }

  /** Leaves the meeting (the server records it and tells the others), then closes. */
  async leave(): Promise<void> {
    this.stopTyping();
    try {
      await this.act('leave', () => invokeFunction(this.supabase, 'leave', { meeting_id: this.meetingId }));
    } finally {
      await this.close('left');
    }
  }

  /** Stops listening without telling the server (e.g. a component unmounting); the participant stays joined. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.intervals) clearInterval(i);
    this.timers.clear();
    this.intervals.clear();
    if (this.typingTimer) clearInterval(this.typingTimer);
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    if (this.cursorFlush) clearTimeout(this.cursorFlush);
    this.typingTimer = this.cursorTimer = this.cursorFlush = undefined;
    const channels = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(channels.map((c) => this.supabase.removeChannel(c)));
  }

  private async close(reason: CloseReason): Promise<void> {
    this.store.update((s) => s.close(reason));
    await this.dispose();
  }

  // -- channels -------------------------------------------------------------------------------------------------

  /** Creates, binds and subscribes one of the three channels (again, after the server closed it). */
  private openChannel(topic: Topic): void {
    const channel =
      topic === 'server' ? this.serverChannel() : topic === 'ephemeral' ? this.ephemeralChannel() : this.userChannel();
    this.channels.set(topic, channel);
    channel.subscribe((status) => this.onChannelStatus(topic, channel, status));
  }

  private serverChannel(): RealtimeChannel {
    const server = this.supabase.channel(meetingTopic(this.meetingId), { config: { private: true } });
    const on = <E extends keyof MeetingEvents>(event: E, apply: (payload: MeetingEvents[E]) => void) =>
      server.on('broadcast', { event }, ({ payload }) => {
        this.store.update(() => apply(payload as MeetingEvents[E]));
        this.emit(event, payload as SessionEvents[E]);
      });
    on('message', (p) => this.store.mergeMessage(p.message));
    on('message_edited', (p) => this.store.mergeMessage(p.message));
    on('message_deleted', (p) => this.store.applyDeleted(p));
    on('reaction', (p) => this.store.applyReaction(p));
    on('participant_joined', (p) => this.store.mergeParticipant(p.participant));
    on('participant_updated', (p) => this.store.mergeParticipant(p.participant));
    on('participant_left', (p) => {
      this.store.mergeParticipant(p.participant);
      if (p.participant.user_id === this.userId) void this.close(p.reason === 'removed' ? 'removed' : 'left');
    });
    on('meeting_status_changed', (p) => {
      this.store.mergeMeeting(p.record);
      if (p.record.status === 'ended') void this.close('ended');
    });
    return server;
  }

  /** Client claims: only the ephemeral names count here, and only from current participants other than me. */
  private ephemeralChannel(): RealtimeChannel {
    const ephemeral = this.supabase.channel(meetingEphemeralTopic(this.meetingId), {
      config: { private: true, presence: { key: this.userId, enabled: true } },
    });
    ephemeral.on('broadcast', { event: 'typing' }, ({ payload }) => {
      const p = payload as EphemeralEvents['typing'];
      if (!this.isOther(p?.user_id)) return;
      this.store.update((s) => s.setTyping(p.user_id, p.is_typing === true, Date.now() + this.opts.typingTimeoutMs));
    });
    ephemeral.on('broadcast', { event: 'cursor' }, ({ payload }) => {
      const p = payload as EphemeralEvents['cursor'];
      if (!this.isOther(p?.user_id) || typeof p.x !== 'number' || typeof p.y !== 'number') return;
      // Several cursors moving at once become one state change per interval, not one per event.
      this.cursorInbox.set(p.user_id, { x: p.x, y: p.y });
      this.cursorFlush ??= setTimeout(() => {
        this.cursorFlush = undefined;
        const moves = [...this.cursorInbox];
        this.cursorInbox.clear();
        this.store.update((s) => moves.forEach(([id, c]) => s.setCursor(id, { ...c, at: Date.now() })));
      }, this.opts.cursorIntervalMs);
    });
    ephemeral.on('presence', { event: 'sync' }, () => {
      const state = ephemeral.presenceState<MeetingPresence>() as RealtimePresenceState<MeetingPresence>;
      // Every key is kept: the state shows `online` only on present participants, and one whose presence arrived
      // before the participant list did (a join racing ours) must not stay offline until their next presence event.
      this.store.update((s) => s.setOnline(Object.keys(state)));
    });
    ephemeral.on('presence', { event: 'leave' }, ({ key }) => {
      this.store.update((s) => {
        s.setTyping(key, false, 0);
        s.dropCursor(key);
      });
    });
    return ephemeral;
  }

  private userChannel(): RealtimeChannel {
    const user = this.supabase.channel(userTopic(this.userId), { config: { private: true } });
    user.on('broadcast', { event: 'participant_removed' }, ({ payload }) => {
      const notice = payload as UserEvents['participant_removed'];
      if (notice.meeting_id !== this.meetingId) return;
      this.emit('participant_removed', notice);
      void this.close('removed');
    });
    return user;
  }

  private onChannelStatus(topic: Topic, channel: RealtimeChannel, status: string): void {
    if (this.disposed || this.channels.get(topic) !== channel || this.getState().connection === 'closed') return;
    if (status === 'SUBSCRIBED') {
      this.joined.add(topic);
      if (topic === 'ephemeral') void this.trackPresence();
      if (this.joined.size === this.channels.size) void this.sync();
      return;
    }
    // CHANNEL_ERROR and TIMED_OUT: supabase-js rejoins on its own; a CLOSED channel heal() opens again.
    this.joined.delete(topic);
    this.store.update((s) =>
      s.setConnection(this.offline() ? 'offline' : this.everLive ? 'reconnecting' : 'connecting'),
    );
  }

  /**
   * Runs every second while not live. supabase-js rejoins errored channels after it reconnects, but not channels the
   * server closed (a shutdown, a re-checked token that lost access, a tripped limit); and once the server has closed
   * every channel, its socket can sit in `connecting` for good. So: when a channel of ours is closed and the socket
   * is up (or has not come up for a few seconds), ask the database whether we still belong. If not, we were removed;
   * if so, restart the socket when it is stuck and open the closed channels again.
   */
  private async heal(): Promise<void> {
    if (
      this.disposed ||
      this.healing ||
      this.getState().connection === 'live' ||
      this.getState().connection === 'closed'
    )
      return;
    const realtime = this.supabase.realtime;
    this.downTicks = realtime.isConnected() ? 0 : this.downTicks + 1;
    const closed = [...this.channels].filter(([, c]) => c.state === 'closed');
    if (closed.length === 0 || (!realtime.isConnected() && this.downTicks < 3)) return;
    this.healing = true;
    try {
      try {
        await this.rpc('list_participants', { meeting_id: this.meetingId });
      } catch (err) {
        if (err instanceof MeetingActionError && err.status === 403) await this.close('removed');
        return; // the database is unreachable too: next tick
      }
      if (!realtime.isConnected()) await realtime.disconnect();
      for (const [topic, channel] of closed) {
        if (this.disposed || this.channels.get(topic) !== channel) continue;
        this.channels.delete(topic);
        if (realtime.getChannels().includes(channel)) await this.supabase.removeChannel(channel);
        if (!this.disposed) this.openChannel(topic);
      }
      this.downTicks = 0;
    } finally {
      this.healing = false;
    }
  }

  private async trackPresence(): Promise<void> {
    const payload: MeetingPresence = {
      user_id: this.userId,
      full_name: this.fullName,
      online_at: new Date().toISOString(),
    };
    await this.channels.get('ephemeral')?.track(payload);
  }

  private isOther(userId: unknown): userId is string {
    return typeof userId === 'string' && userId !== this.userId && this.store.isParticipant(userId);
  }

  // -- catch-up ---------------------------------------------------------------------------------------------------

  /**
   * Reads what the channels may have missed and merges it; reports live when the channels are joined and the read is
   * done. One at a time: a request during a run schedules one more run after it.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.runSync().finally(() => {
      this.syncing = undefined;
      if (this.syncAgain && this.getState().connection !== 'closed') {
        this.syncAgain = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  private async runSync(): Promise<void> {
    try {
      // Everything after the seq the previous catch-up read reached, oldest first, page by page: no cap. Not after the
      // newest seq held: messages that arrive live as channels rejoin would hide the ones missed while away.
      let cursor = this.syncedSeq;
      for (;;) {
        const page = await this.rpc('get_messages', {
          meeting_id: this.meetingId,
          after_seq: cursor,
          newest_first: false,
          page_size: LIMITS.page_max_limit,
        });
        this.store.update((s) => s.mergeMessages(page));
        if (page.length > 0) cursor = page[page.length - 1].seq;
        if (page.length < LIMITS.page_max_limit) break;
      }
      // The newest page again: edits, deletes and reaction counts of recent messages merge by version.
      const recent = await this.rpc('get_messages', { meeting_id: this.meetingId, page_size: LIMITS.page_max_limit });
      const people = await this.rpc('list_participants', { meeting_id: this.meetingId, include_left: true });
      const meeting = await this.supabase.from('meetings').select('*').eq('id', this.meetingId).maybeSingle();
      this.store.update((s) => {
        s.mergeMessages(recent);
        for (const p of people) s.mergeParticipant(p);
        if (meeting.data) s.mergeMeeting(meeting.data as MeetingRow);
      });
      const me = this.store.participant(this.userId);
      if (me?.left_at) return void (await this.close('left'));
      if (meeting.data?.status === 'ended') return void (await this.close('ended'));
      this.syncedSeq = cursor;
      if (this.joined.size === this.channels.size && this.channels.size > 0) {
        this.everLive = true;
        this.store.update((s) => s.setConnection('live'));
        for (const resolve of this.liveWaiters.splice(0)) resolve();
        void this.flushPending();
      }
    } catch (err) {
      // A failed read leaves us where we were; the next channel event, interval or online event tries again.
      this.recordError(err, 'sync');
      this.after(1000, () => void this.sync());
    }
  }

  private async rpc<N extends 'get_messages' | 'list_participants'>(
    name: N,
    args: Database['public']['Functions'][N]['Args'],
  ) {
    const { data, error } = await this.supabase.rpc(name, args as never);
    if (error) {
      const status = Number(/^PT(\d{3})$/.exec(error.code ?? '')?.[1] ?? 0);
      throw new MeetingActionError(name, status, status ? (error.hint as ErrorCode) : 'network', error.message);
    }
    return data as unknown as N extends 'get_messages'
      ? ChatMessage[]
      : import('../../types/contract.ts').ParticipantView[];
  }

  /** One older page before the first message held (keyset scroll-back). */
  async loadOlder(): Promise<void> {
    const before = this.store.firstSeq;
    if (before === undefined || this.getState().loadingOlder) return;
    this.store.update((s) => s.setLoadingOlder(true));
    try {
      const page = await this.rpc('get_messages', {
        meeting_id: this.meetingId,
        before_seq: before,
        page_size: this.opts.pageSize,
      });
      this.store.update((s) => {
        s.mergeMessages(page);
        s.setHasOlder(page.length >= this.opts.pageSize);
      });
    } catch (err) {
      this.recordError(err, 'load_older');
    } finally {
      this.store.update((s) => s.setLoadingOlder(false));
    }
  }

  // -- actions --------------------------------------------------------------------------------------------------

  /**
   * Sends a message: shown at once as pending, stored with a generated client_id, retried with the same id while
   * the server cannot be reached (the database stores it once), after a 429 when the wait is over, and when the
   * session is live again. Resolves with the stored message.
   */
  async send(content: string): Promise<ChatMessage> {
    const clientId = crypto.randomUUID();
    this.store.update((s) =>
      s.addPending({ client_id: clientId, content, created_at: new Date().toISOString(), status: 'sending' }),
    );
    return this.deliver(clientId, content);
  }

  /** Tries a failed message again (same client_id: if the first attempt was stored after all, nothing doubles). */
  retry(clientId: string): Promise<ChatMessage> {
    const pending = this.getState().pending.find((p) => p.client_id === clientId);
    if (!pending) return Promise.reject(new Error('no such pending message'));
    this.store.update((s) => s.updatePending(clientId, { status: 'sending', error: undefined }));
    return this.deliver(clientId, pending.content);
  }

  discard(clientId: string): void {
    this.store.update((s) => s.removePending(clientId));
  }

  private async deliver(clientId: string, content: string): Promise<ChatMessage> {
    try {
      const res = await sendMessage(
        this.supabase,
        { meeting_id: this.meetingId, content, client_id: clientId },
        {
          maxAttempts: this.opts.maxSendAttempts,
          wait: (ms) => this.wait(ms),
          onWaiting: (error) =>
            this.store.update((s) =>
              s.updatePending(clientId, { status: 'waiting', error: this.toActionError(error) }),
            ),
          onResumed: () => this.store.update((s) => s.updatePending(clientId, { status: 'sending' })),
          beforeRetry: async () => {
            const connection = this.getState().connection;
            if (connection !== 'live' && connection !== 'closed') await this.whenLive().catch(() => {});
          },
        },
      );
      this.store.update((s) => s.mergeMessage(res.message));
      if (res.broadcast === 'failed') void this.sync(); // the others may not have it: our reads still must
      return res.message;
    } catch (err) {
      this.recordError(err);
      this.store.update((s) => s.updatePending(clientId, { status: 'failed', error: this.toActionError(err) }));
      throw err;
    }
  }

  /** Messages that failed only because we were offline go out again once live. */
  private async flushPending(): Promise<void> {
    for (const p of this.getState().pending) {
      if (p.status === 'failed' && p.error?.code === 'network') void this.retry(p.client_id).catch(() => {});
    }
  }

  edit(messageId: string, content: string): Promise<ChatMessage> {
    return this.act('edit', async () => {
      const res = await invokeFunction(this.supabase, 'edit-message', { message_id: messageId, content });
      this.store.update((s) => s.mergeMessage(res.message));
      return res.message;
    });
  }

  delete(messageId: string): Promise<ChatMessage> {
    return this.act('delete', async () => {
      const res = await invokeFunction(this.supabase, 'delete-message', { message_id: messageId });
      this.store.update((s) => s.mergeMessage(res.message));
      return res.message;
    });
  }

  /** Toggles my reaction; the answer's counts are exact at their version and merge like any event. */
  react(messageId: string, emoji: string) {
    return this.act('react', async () => {
      const res = await invokeFunction(this.supabase, 'react', { message_id: messageId, emoji });
      this.store.update((s) => s.applyReaction(res));
      return res;
    });
  }

  /** Changes my own state (mute, video, screen share, hand, status). */
  setState(state: ParticipantState) {
    return this.updateParticipant(state);
  }

  raiseHand(raised = true) {
    return this.updateParticipant({ is_hand_raised: raised });
  }

  /** Host or cohost: mute someone, or lower their hand. */
  mute(userId: string, muted = true) {
    return this.updateParticipant({ is_muted: muted }, userId);
  }

  lowerHand(userId: string) {
    return this.updateParticipant({ is_hand_raised: false }, userId);
  }

  private updateParticipant(state: ParticipantState, userId?: string) {
    return this.act('presence', async () => {
      const res = await invokeFunction(this.supabase, 'presence', {
        meeting_id: this.meetingId,
        state,
        ...(userId ? { user_id: userId } : {}),
      });
      this.store.update((s) => s.mergeParticipant(res.participant));
      return res.participant;
    });
  }

  /** Host: start or end the meeting (everyone learns it from the database's meeting_status_changed). */
  setMeetingStatus(status: 'live' | 'ended') {
    return this.act('meeting-status', async () => {
      const res = await invokeFunction(this.supabase, 'meeting-status', { meeting_id: this.meetingId, status });
      this.store.update((s) => s.mergeMeeting(res.meeting));
      return res.meeting;
    });
  }

  /** Host or cohost: remove someone (they are told on their user: channel and cannot come back). */
  remove(userId: string) {
    return this.act('remove-participant', async () => {
      const res = await invokeFunction(this.supabase, 'remove-participant', {
        meeting_id: this.meetingId,
        user_id: userId,
      });
      this.store.update((s) => s.mergeParticipant(res.participant));
      return res.participant;
    });
  }

  // -- typing and cursors ---------------------------------------------------------------------------------------

  /** Call on every keystroke (true) and when the input is cleared or sent (false); heartbeats while typing. */
  setTyping(isTyping: boolean): void {
    if (!isTyping) return this.stopTyping();
    if (this.typingTimer) return;
    const beat = () => void this.sendEphemeral('typing', { user_id: this.userId, is_typing: true });
    beat();
    this.typingTimer = setInterval(beat, this.opts.typingHeartbeatMs);
  }

  private stopTyping(): void {
    if (!this.typingTimer) return;
    clearInterval(this.typingTimer);
    this.typingTimer = undefined;
    void this.sendEphemeral('typing', { user_id: this.userId, is_typing: false });
  }

  /** My cursor over the shared area (0..1 coordinates), sent at most once per cursorIntervalMs (the last wins). */
  moveCursor(x: number, y: number): void {
    this.cursorPending = { x, y };
    if (this.cursorTimer) return;
    const wait = Math.max(0, this.cursorLastSent + this.opts.cursorIntervalMs - Date.now());
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = undefined;
      const pos = this.cursorPending;
      this.cursorPending = undefined;
      if (!pos) return;
      this.cursorLastSent = Date.now();
      void this.sendEphemeral('cursor', { user_id: this.userId, ...pos });
    }, wait);
  }

  private async sendEphemeral<E extends keyof EphemeralEvents>(event: E, payload: EphemeralEvents[E]): Promise<void> {
    const channel = this.channels.get('ephemeral');
    if (!channel || !this.joined.has('ephemeral')) return; // ephemeral: dropped while not joined, by design
    await channel.send({ type: 'broadcast', event, payload });
  }

  // -- plumbing -------------------------------------------------------------------------------------------------

  private async act<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      this.recordError(err, action);
      throw err;
    }
  }

  private toActionError(err: unknown, action?: string): ActionError {
    const e =
      err instanceof MeetingActionError
        ? err
        : new MeetingActionError(action ?? 'unknown', 0, 'network', (err as Error)?.message ?? String(err));
    return {
      action: action ?? e.action,
      status: e.status,
      code: e.code,
      message: e.message,
      retryAfter: e.retryAfter,
      at: Date.now(),
    };
  }

  private recordError(err: unknown, action?: string): void {
    this.store.update((s) => s.addError(this.toActionError(err, action)));
  }

  private offline(): boolean {
    return typeof navigator !== 'undefined' && navigator.onLine === false;
  }

  /** Browser signals: offline/online, and a page coming back to the foreground (its socket may have slept). */
  private watchEnvironment(): void {
    if (typeof window === 'undefined' || typeof document === 'undefined') return;
    const offline = () => this.store.update((s) => s.setConnection('offline'));
    const online = () => {
      this.store.update((s) => s.setConnection(this.everLive ? 'reconnecting' : 'connecting'));
      if (!this.supabase.realtime.isConnected()) this.supabase.realtime.connect();
      void this.sync();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') void this.sync();
    };
    window.addEventListener('offline', offline);
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    this.disposers.push(() => {
      window.removeEventListener('offline', offline);
      window.removeEventListener('online', online);
      document.removeEventListener('visibilitychange', visible);
    });
  }

  private every(ms: number, fn: () => void): void {
    this.intervals.add(setInterval(fn, ms));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }
}
