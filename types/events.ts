// The typed contract between edge functions, clients and tests: every broadcast event on a private channel and
// every function's request and response. Functions import it (Deno), the web page and Node tests import it too.
// Database row types come from the generated ./database.ts (npm run types).
import type { Database } from './database.ts';

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

/** The participant state clients may change (presence function; moderators may change is_muted/is_hand_raised of others). */
export interface ParticipantState {
  is_muted?: boolean;
  is_video_on?: boolean;
  is_screen_sharing?: boolean;
  is_hand_raised?: boolean;
  status?: ParticipantStatus;
}

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

export { dmTopic, meetingEphemeralTopic, meetingTopic, orgTopic, userTopic } from '../supabase/functions/_shared/topics.ts';

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
    message_id: string; meeting_id: string; user_id: string; emoji: string; action: 'added' | 'removed';
    /** Counts per emoji, exact at `version` (the message's reactions_version). */
    counts: ReactionCounts; version: number;
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
  'message', 'message_edited', 'message_deleted', 'reaction', 'participant_joined', 'participant_left',
  'participant_updated', 'meeting_status_changed',
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
      message_id: string; meeting_id: string; emoji: string; action: 'added' | 'removed'; counts: ReactionCounts;
      version: number; broadcast: BroadcastOutcome;
    };
  };
  join: {
    request: { meeting_id: string };
    response: {
      participant: ParticipantRow; topic: `meeting:${string}`; ephemeral_topic: `meeting:${string}:ephemeral`;
      presence_key: string; messages: ChatMessage[]; broadcast: BroadcastOutcome;
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

export type ErrorCode =
  // 400
  | 'invalid_json' | 'validation_failed' | 'content_empty' | 'content_too_long' | 'invalid_client_id' | 'invalid_emoji'
  | 'invalid_page_size' | 'invalid_state' | 'unknown_state_keys' | 'invalid_state_value' | 'cannot_remove_self' | 'bad_request'
  // 401
  | 'not_authenticated'
  // 403
  | 'not_allowed' | 'invitation_required' | 'removed_from_meeting' | 'not_a_participant' | 'not_sender' | 'not_host'
  | 'not_moderator' | 'not_allowed_for_others' | 'cannot_remove_host' | 'cannot_remove_cohost' | 'forbidden'
  // 404
  | 'meeting_not_found' | 'message_not_found' | 'participant_not_found' | 'not_found'
  // 405, 409, 413, 415, 429
  | 'method_not_allowed' | 'meeting_ended' | 'message_deleted' | 'invalid_status_transition' | 'client_id_conflict'
  | 'too_many_meetings' | 'conflict'
  | 'payload_too_large' | 'unsupported_media_type' | 'rate_limited'
  // 5xx: never a client's mistake
  | 'internal_error' | 'upstream_unavailable';
