// The contract between the database, the edge functions, clients and tests: the channel topics, every event on them,
// every function's request, response and error, and the RPC results the functions receive. The functions (Deno,
// at run time), the Node tests and the web client all import this module; it imports only what is generated from
// the migrations (./database.ts by postgres-meta, ./rules.ts from private.settings and private.error_reasons), so
// nothing here depends on product code.
import type { Database } from './database.ts';
import { type DatabaseRefusal, PARTICIPANT_STATE_KEYS } from './rules.ts';

export { DATABASE_REFUSALS, LIMITS, MODERATOR_STATE_KEYS, PARTICIPANT_STATE_KEYS } from './rules.ts';

type Tables = Database['public']['Tables'];
export type ParticipantRow = Tables['meeting_participants']['Row'];
export type MeetingRow = Tables['meetings']['Row'];
export type MeetingStatus = Database['public']['Enums']['meeting_status'];
export type ParticipantStatus = Database['public']['Enums']['participant_status'];
export type MessageType = Database['public']['Enums']['message_type'];

/**
 * A message as clients see it (content is null once deleted). Two versions: `version` orders the message itself
 * (1 when sent, +1 per edit and on delete); `reactions_version` orders its reaction counts (+1 per toggle).
 */
export interface ChatMessage {
  id: string;
  seq: number;
  meeting_id: string;
  sender_id: string;
  client_id: string;
  content: string | null;
  type: MessageType;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  version: number;
  /** Counts per emoji, exact at `reactions_version`. */
  reactions: ReactionCounts;
  reactions_version: number;
}

/** Per-emoji reaction counts of one message, e.g. { "👍": 2 }. */
export type ReactionCounts = Record<string, number>;

/**
 * The participant state clients may change (presence function; moderators may change MODERATOR_STATE_KEYS of
 * others). The keys are PARTICIPANT_STATE_KEYS (private.settings); the types are the table's columns.
 */
export type ParticipantStateKey = (typeof PARTICIPANT_STATE_KEYS)[number];
export type ParticipantState = Partial<Pick<ParticipantRow, ParticipantStateKey>>;

/** One row of list_participants: the participant with their display name. */
export interface ParticipantView extends Required<ParticipantState> {
  user_id: string;
  role: Database['public']['Enums']['participant_role'];
  full_name: string | null;
  avatar_url: string | null;
  joined_at: string;
  left_at: string | null;
  updated_at: string;
  version: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

// Which topic carries what, and who may write there, is the channel policy (supabase/migrations/*_channels.sql).

/** Server events of one meeting: clients receive, only functions (service role) and the database write. */
export const meetingTopic = (meetingId: string) => `meeting:${meetingId}` as const;
/** Client events of one meeting (typing, cursors) and its Presence: every present member receives and writes. */
export const meetingEphemeralTopic = (meetingId: string) => `meeting:${meetingId}:ephemeral` as const;
/** Server notices to one user (e.g. participant_removed): only that user receives; no client writes. */
export const userTopic = (userId: string) => `user:${userId}` as const;
export const orgTopic = (organizationId: string) => `org:${organizationId}` as const;
/** The one canonical dm topic of a pair: the smaller id first. */
export const dmTopic = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`) as `dm:${string}:${string}`;

/*
 * Versions: the order rule for every stateful event.
 *
 * Every event that carries state a client keeps names the object and its version, assigned in the transaction
 * that changed it and raised by one per change (the row lock orders concurrent writers):
 *   message_edited, message_deleted   the message             message.id / message_id   version
 *   reaction                          the message's counts     message_id                version (= reactions_version)
 *   participant_joined/_left/_updated the participant          participant.user_id       participant.version
 *   meeting_status_changed            the meeting              record.id                 record.version
 * A client keeps, per object, the state with the highest version it has seen, and ignores an event whose version is
 * not higher. Applied in any arrival order, the events then leave it with the database's state; a catch-up read
 * (get_messages, list_participants) carries the same versions and merges by the same rule. New messages are ordered
 * by `seq` (and deduplicated by id).
 */

/**
 * Server events on `meeting:<id>` (private, receive-only for clients). They come from the edge functions (REST
 * broadcast with the service role) or, for the status, from the database trigger. No client can send on this topic,
 * so an event here is what the server said.
 */
export interface MeetingEvents {
  message: { message: ChatMessage };
  message_edited: { message: ChatMessage };
  message_deleted: { message_id: string; meeting_id: string; deleted_at: string; version: number };
  reaction: {
    message_id: string;
    meeting_id: string;
    user_id: string;
    emoji: string;
    action: 'added' | 'removed';
    /** Counts per emoji, exact at `version` (the message's reactions_version). */
    counts: ReactionCounts;
    version: number;
  };
  participant_joined: { meeting_id: string; participant: ParticipantRow };
  participant_left: { meeting_id: string; participant: ParticipantRow; reason: 'left' | 'removed' };
  participant_updated: { meeting_id: string; participant: ParticipantRow };
  /** From the database trigger (realtime.broadcast_changes): the realtime-js broadcast-changes payload shape. */
  meeting_status_changed: {
    id: string;
    schema: 'public';
    table: 'meetings';
    operation: 'UPDATE';
    record: MeetingRow;
    old_record: MeetingRow;
  };
}
export type MeetingEventName = keyof MeetingEvents;
/** Every server event name, for code that must tell server events from client ones. */
export const MEETING_EVENT_NAMES = [
  'message',
  'message_edited',
  'message_deleted',
  'reaction',
  'participant_joined',
  'participant_left',
  'participant_updated',
  'meeting_status_changed',
] as const satisfies readonly MeetingEventName[];

/**
 * Client events on `meeting:<id>:ephemeral` (private; every present member sends and receives), never stored.
 * Realtime stamps no sender on a broadcast: `user_id` is a claim the sending client makes. Receivers should ignore
 * an event whose user_id is not a current participant (from list_participants and the participant_* events) and
 * never let one change server state. Only these names are meaningful here: a client ignores any other event on this
 * topic, whatever its name (a server event name on this topic is a forgery).
 */
export interface EphemeralEvents {
  typing: { user_id: string; is_typing: boolean };
  cursor: { user_id: string; x: number; y: number };
}
export type EphemeralEventName = keyof EphemeralEvents;

/** Events on `user:<id>` (private; only that user receives, only the server sends). */
export interface UserEvents {
  participant_removed: { meeting_id: string; removed_by: string; removed_at: string };
}
export const USER_EVENT_NAMES = ['participant_removed'] as const satisfies readonly (keyof UserEvents)[];

/**
 * Presence payload each client tracks on `meeting:<id>:ephemeral` (presence key = the user id). Presence is client
 * state like typing, so it lives on the client-writable topic; `meeting:<id>` stays server-only. Like any client
 * claim, a presence whose user_id is not a participant is ignored.
 */
export interface MeetingPresence {
  user_id: string;
  full_name: string | null;
  online_at: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Functions (supabase.functions.invoke(name, { body }))
// ---------------------------------------------------------------------------------------------------------------

/** Whether the function's broadcast reached Realtime; a stored message is never lost when it did not. */
export type BroadcastOutcome = 'sent' | 'failed' | 'skipped';

export interface FunctionContract {
  'send-message': {
    request: { meeting_id: string; content: string; client_id: string };
    response: { message: ChatMessage; duplicate: boolean; broadcast: BroadcastOutcome };
  };
  'edit-message': {
    request: { message_id: string; content: string };
    response: { message: ChatMessage; broadcast: BroadcastOutcome };
  };
  'delete-message': {
    request: { message_id: string };
    response: { message: ChatMessage; broadcast: BroadcastOutcome };
  };
  react: {
    request: { message_id: string; emoji: string };
    response: {
      message_id: string;
      meeting_id: string;
      emoji: string;
      action: 'added' | 'removed';
      counts: ReactionCounts;
      version: number;
      broadcast: BroadcastOutcome;
    };
  };
  join: {
    request: { meeting_id: string };
    response: {
      participant: ParticipantRow;
      topic: `meeting:${string}`;
      ephemeral_topic: `meeting:${string}:ephemeral`;
      presence_key: string;
      messages: ChatMessage[];
      broadcast: BroadcastOutcome;
    };
  };
  leave: {
    request: { meeting_id: string };
    response: { participant: ParticipantRow; broadcast: BroadcastOutcome };
  };
  presence: {
    /** POST: change your own state (or, as host/cohost, another participant's is_muted / is_hand_raised). */
    request: { meeting_id: string; state: ParticipantState; user_id?: string };
    response: { participant: ParticipantRow; broadcast: BroadcastOutcome };
  };
  'presence:get': {
    /** GET /presence?meeting_id=… */
    request: { meeting_id: string };
    response: { participants: ParticipantView[] };
  };
  'meeting-status': {
    request: { meeting_id: string; status: Exclude<MeetingStatus, 'scheduled'> };
    response: { meeting: MeetingRow };
  };
  'remove-participant': {
    request: { meeting_id: string; user_id: string };
    response: { participant: ParticipantRow; broadcast: BroadcastOutcome };
  };
}
export type FunctionName = Exclude<keyof FunctionContract, 'presence:get'>;

/**
 * Operators' functions: the service role only (401 without its key, 403 with a user's or the anon token). Clients
 * never call them, so they are not in FunctionContract.
 */
export interface OperatorFunctionContract {
  /** GET /metrics: the product's broadcast counters in Prometheus text (`text/plain; version=0.0.4`). */
  metrics: { request: Record<string, never>; response: string };
}
export type FunctionRequest<N extends keyof FunctionContract> = FunctionContract[N]['request'];
export type FunctionResponse<N extends keyof FunctionContract> = FunctionContract[N]['response'];

/** Every error a function answers, with a stable code. */
export interface FunctionErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Field problems for validation errors; the database's details otherwise (e.g. retry_after_seconds). */
    details?: Record<string, unknown>;
  };
}

/** The functions' own refusals (before or beside the database), with their HTTP status. */
export const FUNCTION_ERRORS = {
  invalid_json: 400,
  validation_failed: 400,
  bad_request: 400,
  not_authenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  // 5xx: never a client's mistake
  internal_error: 500,
  upstream_unavailable: 503,
} as const;

/** Every error code a function answers: the database's refusals (private.error_reasons) and the functions' own. */
export type ErrorCode = DatabaseRefusal | keyof typeof FUNCTION_ERRORS;

// ---------------------------------------------------------------------------------------------------------------
// RPC results, typed once: the generated types say every attribute of a composite result may be null (postgres-meta
// cannot know better), so the shapes clients see are declared here and callRpc returns them.
// ---------------------------------------------------------------------------------------------------------------

type Functions = Database['public']['Functions'];
export interface RpcResults {
  send_message: ChatMessage & { duplicate: boolean };
  edit_message: ChatMessage;
  delete_message: ChatMessage;
  get_messages: ChatMessage[];
  toggle_reaction: {
    action: 'added' | 'removed';
    emoji: string;
    counts: ReactionCounts;
    version: number;
    message_id: string;
    meeting_id: string;
  };
  list_participants: ParticipantView[];
}
export type RpcName = keyof Functions;
export type RpcResult<N extends RpcName> = N extends keyof RpcResults
  ? RpcResults[N]
  : NonNullable<Functions[N]['Returns']>;
