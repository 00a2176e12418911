// The meeting's state as a client keeps it, and the one merge rule every source goes through: events, function
// replies and catch-up reads all land here, and the highest version of each object wins (types/contract.ts,
// "Versions"). Nothing here does I/O, so arrival order and duplicates are handled in one place and tested alone.
import type {
  ChatMessage,
  MeetingEvents,
  MeetingRow,
  ParticipantRow,
  ParticipantView,
  ReactionCounts,
} from '../../types/contract.ts';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';
/** Why a session ended: you left, a moderator removed you, the host ended the meeting, you signed out, or it failed. */
export type CloseReason = 'left' | 'removed' | 'ended' | 'signed_out' | 'failed';

/** A participant as the room shows them: the row's state, their name, and whether Presence sees them online. */
export interface Participant {
  user_id: string;
  role: ParticipantRow['role'];
  full_name: string | null;
  avatar_url: string | null;
  is_muted: boolean;
  is_video_on: boolean;
  is_screen_sharing: boolean;
  is_hand_raised: boolean;
  status: ParticipantRow['status'];
  joined_at: string;
  left_at: string | null;
  version: number;
  online: boolean;
}

/** A message of mine not yet stored: shown at once, retried with the same client_id until the server has it. */
export interface PendingMessage {
  client_id: string;
  content: string;
  created_at: string;
  status: 'sending' | 'waiting' | 'failed';
  /** Why it failed or waits (e.g. rate_limited, with the seconds to wait). */
  error?: ActionError;
}

/** A refused or failed action, as the room shows it. */
export interface ActionError {
  action: string;
  status: number;
  code: string;
  message: string;
  /** Seconds until a retry can succeed (429). */
  retryAfter?: number;
  at: number;
}

export interface Cursor {
  x: number;
  y: number;
  at: number;
}

export interface MeetingState {
  meetingId: string;
  userId: string;
  connection: ConnectionState;
  closedReason: CloseReason | null;
  meeting: MeetingRow | null;
  /** Stored messages, deduplicated by id, ordered by seq. */
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** Whether older messages exist before the first one held (keyset scroll-back). */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Present participants (not left), ordered by when they joined. */
  participants: Participant[];
  /** Who is typing now (current participants other than me; expires on its own). */
  typing: string[];
  /** Other participants' cursors over the shared area (0..1 coordinates). */
  cursors: Record<string, Cursor>;
  /** The latest refusals and failures, newest last (at most 5). */
  errors: ActionError[];
}

const MAX_ERRORS = 5;

/** The mutable store behind the snapshots: maps keyed by id, versions kept per object. */
export class MeetingStore {
  private byId = new Map<string, ChatMessage>();
  /** Reaction counts that arrived before their message (kept until it does). */
  private reactionsAhead = new Map<string, { counts: ReactionCounts; version: number }>();
  /** Deletes that arrived before their message. */
  private deletedAhead = new Map<string, { deleted_at: string; version: number }>();
  private people = new Map<string, Participant>();
  private onlineIds = new Set<string>();
  private typingUntil = new Map<string, number>();
  private cursorMap = new Map<string, Cursor>();
  private snapshot: MeetingState;
  private listeners = new Set<() => void>();
  private dirty = false;
  // Which derived lists to rebuild: a typing change must not hand every message list a new identity.
  private stale = { messages: false, participants: false, typing: false, cursors: false };

  constructor(meetingId: string, userId: string) {
    this.snapshot = {
      meetingId,
      userId,
      connection: 'connecting',
      closedReason: null,
      meeting: null,
      messages: [],
      pending: [],
      hasOlder: false,
      loadingOlder: false,
      participants: [],
      typing: [],
      cursors: {},
      errors: [],
    };
  }

  // -- observing ------------------------------------------------------------------------------------------------

  /** The current state: a new object after every change, the same object otherwise (useSyncExternalStore). */
  getState = (): MeetingState => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Applies a batch of changes and notifies once. */
  update(change: (store: this) => void): void {
    change(this);
    if (!this.dirty) return;
    this.dirty = false;
    const next = { ...this.snapshot };
    const stale = this.stale;
    if (stale.messages) next.messages = [...this.byId.values()].sort((a, b) => a.seq - b.seq);
    if (stale.participants) {
      next.participants = [...this.people.values()]
        .filter((p) => p.left_at === null)
        .map((p) => ({ ...p, online: this.onlineIds.has(p.user_id) }))
        .sort((a, b) => a.joined_at.localeCompare(b.joined_at) || a.user_id.localeCompare(b.user_id));
    }
    if (stale.typing || stale.participants)
      next.typing = [...this.typingUntil.keys()].filter((id) => this.isParticipant(id)).sort();
    if (stale.cursors || stale.participants) {
      next.cursors = Object.fromEntries([...this.cursorMap].filter(([id]) => this.isParticipant(id)));
    }
    this.stale = { messages: false, participants: false, typing: false, cursors: false };
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }

  private touch(...slices: (keyof MeetingStore['stale'])[]): void {
    for (const slice of slices) this.stale[slice] = true;
    this.dirty = true;
  }

  private set<K extends keyof MeetingState>(key: K, value: MeetingState[K]): void {
    if (this.snapshot[key] === value) return;
    this.snapshot = { ...this.snapshot, [key]: value };
    this.dirty = true;
  }

  // -- messages -------------------------------------------------------------------------------------------------

  /** Merges a message from any source: content by `version`, reactions by `reactions_version`. */
  mergeMessage(incoming: ChatMessage): void {
    const held = this.byId.get(incoming.id);
    let merged = incoming;
    if (held) {
      const content = incoming.version >= held.version ? incoming : held;
      const reactions = incoming.reactions_version >= held.reactions_version ? incoming : held;
      merged = { ...content, reactions: reactions.reactions, reactions_version: reactions.reactions_version };
      if (merged.version === held.version && merged.reactions_version === held.reactions_version) return;
    }
    const ahead = this.reactionsAhead.get(incoming.id);
    if (ahead && ahead.version > merged.reactions_version) {
      merged = { ...merged, reactions: ahead.counts, reactions_version: ahead.version };
    }
    const deleted = this.deletedAhead.get(incoming.id);
    if (deleted && deleted.version > merged.version) {
      merged = { ...merged, content: null, deleted_at: deleted.deleted_at, version: deleted.version };
    }
    this.reactionsAhead.delete(incoming.id);
    this.deletedAhead.delete(incoming.id);
    this.byId.set(merged.id, merged);
    // My own pending copy is now stored.
    if (
      merged.sender_id === this.snapshot.userId &&
      this.snapshot.pending.some((p) => p.client_id === merged.client_id)
    ) {
      this.set(
        'pending',
        this.snapshot.pending.filter((p) => p.client_id !== merged.client_id),
      );
    }
    this.touch('messages');
  }

  mergeMessages(messages: readonly ChatMessage[]): void {
    for (const m of messages) this.mergeMessage(m);
  }

  applyReaction(event: Pick<MeetingEvents['reaction'], 'message_id' | 'counts' | 'version'>): void {
    const held = this.byId.get(event.message_id);
    if (!held) {
      const ahead = this.reactionsAhead.get(event.message_id);
      if (!ahead || event.version > ahead.version)
        this.reactionsAhead.set(event.message_id, { counts: event.counts, version: event.version });
      return;
    }
    if (event.version <= held.reactions_version) return;
    this.byId.set(held.id, { ...held, reactions: event.counts, reactions_version: event.version });
    this.touch('messages');
  }

  applyDeleted(event: MeetingEvents['message_deleted']): void {
    const held = this.byId.get(event.message_id);
    if (!held) {
      const ahead = this.deletedAhead.get(event.message_id);
      if (!ahead || event.version > ahead.version) this.deletedAhead.set(event.message_id, event);
      return;
    }
    if (event.version <= held.version) return;
    this.byId.set(held.id, { ...held, content: null, deleted_at: event.deleted_at, version: event.version });
    this.touch('messages');
  }

  /** The highest seq held: catch-up reads everything after it. */
  get lastSeq(): number {
    let max = 0;
    for (const m of this.byId.values()) if (m.seq > max) max = m.seq;
    return max;
  }

  get firstSeq(): number | undefined {
    let min: number | undefined;
    for (const m of this.byId.values()) if (min === undefined || m.seq < min) min = m.seq;
    return min;
  }

  setHasOlder(value: boolean): void {
    this.set('hasOlder', value);
  }

  setLoadingOlder(value: boolean): void {
    this.set('loadingOlder', value);
  }

  // -- my pending messages --------------------------------------------------------------------------------------

  addPending(p: PendingMessage): void {
    this.set('pending', [...this.snapshot.pending, p]);
  }

  updatePending(clientId: string, change: Partial<PendingMessage>): void {
    if (!this.snapshot.pending.some((p) => p.client_id === clientId)) return;
    this.set(
      'pending',
      this.snapshot.pending.map((p) => (p.client_id === clientId ? { ...p, ...change } : p)),
    );
  }

  removePending(clientId: string): void {
    this.set(
      'pending',
      this.snapshot.pending.filter((p) => p.client_id !== clientId),
    );
  }

  // -- participants and presence --------------------------------------------------------------------------------

  /** Merges a participant row (from an event) or view (from list_participants) by version; names are kept. */
  mergeParticipant(row: ParticipantRow | ParticipantView): void {
    const held = this.people.get(row.user_id);
    if (held && row.version <= held.version) {
      // An older view still knows the name an event's row does not carry.
      if ('full_name' in row && held.full_name === null && row.full_name !== null) {
        this.people.set(row.user_id, { ...held, full_name: row.full_name, avatar_url: row.avatar_url });
        this.touch('participants');
      }
      return;
    }
    const named =
      'full_name' in row ? row : { full_name: held?.full_name ?? null, avatar_url: held?.avatar_url ?? null };
    this.people.set(row.user_id, {
      user_id: row.user_id,
      role: row.role,
      full_name: named.full_name,
      avatar_url: named.avatar_url,
      is_muted: row.is_muted,
      is_video_on: row.is_video_on,
      is_screen_sharing: row.is_screen_sharing,
      is_hand_raised: row.is_hand_raised,
      status: row.status,
      joined_at: row.joined_at,
      left_at: row.left_at,
      version: row.version,
      online: false,
    });
    if (row.left_at !== null) {
      this.typingUntil.delete(row.user_id);
      this.cursorMap.delete(row.user_id);
    }
    this.touch('participants');
  }

  /** Whether the id is someone present now: client claims from anyone else are ignored. */
  isParticipant(userId: string): boolean {
    const p = this.people.get(userId);
    return p !== undefined && p.left_at === null;
  }

  participant(userId: string): Participant | undefined {
    return this.people.get(userId);
  }

  setOnline(userIds: Iterable<string>): void {
    const next = new Set(userIds);
    if (next.size === this.onlineIds.size && [...next].every((id) => this.onlineIds.has(id))) return;
    this.onlineIds = next;
    this.touch('participants');
  }

  // -- typing and cursors (client claims) -----------------------------------------------------------------------

  setTyping(userId: string, isTyping: boolean, until: number): void {
    if (isTyping) {
      const had = this.typingUntil.has(userId);
      this.typingUntil.set(userId, until);
      if (!had) this.touch('typing');
    } else if (this.typingUntil.delete(userId)) {
      this.touch('typing');
    }
  }

  /** Drops typing indicators whose sender stopped sending heartbeats (a closed tab, a lost connection). */
  expireTyping(now: number): void {
    for (const [id, until] of this.typingUntil) {
      if (until <= now) {
        this.typingUntil.delete(id);
        this.touch('typing');
      }
    }
  }

  setCursor(userId: string, cursor: Cursor): void {
    this.cursorMap.set(userId, cursor);
    this.touch('cursors');
  }

  dropCursor(userId: string): void {
    if (this.cursorMap.delete(userId)) this.touch('cursors');
  }

  // -- the meeting, the connection, errors ----------------------------------------------------------------------

  mergeMeeting(row: MeetingRow): void {
    const held = this.snapshot.meeting;
    if (held && row.version <= held.version) return;
    this.set('meeting', row);
  }

  setConnection(connection: ConnectionState): void {
    if (this.snapshot.connection === 'closed') return; // closed is final
    this.set('connection', connection);
  }

  close(reason: CloseReason): void {
    if (this.snapshot.connection === 'closed') return;
    this.set('connection', 'closed');
    this.set('closedReason', reason);
    this.typingUntil.clear();
    this.cursorMap.clear();
    this.touch('typing', 'cursors');
  }

  addError(error: ActionError): void {
    this.set('errors', [...this.snapshot.errors, error].slice(-MAX_ERRORS));
  }

  clearErrors(): void {
    this.set('errors', []);
  }
}
