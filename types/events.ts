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

/** A message as clients see it (content is null once deleted). */
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
}

// ---------------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------------

export { dmTopic, meetingTopic, orgTopic, userTopic } from '../supabase/functions/_shared/topics.ts';

/** Events on `meeting:<id>` (private). Server events come from edge functions or, for status, the database. */
export interface MeetingEvents {
  message: { message: ChatMessage };
  message_edited: { message: ChatMessage };
  message_deleted: { message_id: string; meeting_id: string; deleted_at: string };
  reaction: { message_id: string; meeting_id: string; user_id: string; emoji: string; action: 'added' | 'removed'; counts: ReactionCounts };
  participant_joined: { meeting_id: string; participant: ParticipantRow };
  participant_left: { meeting_id: string; user_id: string; left_at: string; reason: 'left' | 'removed' };
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
  /** Ephemeral client-to-client events, sent straight to Realtime by clients (never stored). */
  typing: { user_id: string; is_typing: boolean };
  cursor: { user_id: string; x: number; y: number };
}
export type MeetingEventName = keyof MeetingEvents;

/** Events on `user:<id>` (private; only that user receives, only the server sends). */
export interface UserEvents {
  participant_removed: { meeting_id: string; removed_by: string; removed_at: string };
}

/** Presence payload each client tracks on `meeting:<id>` (presence key = the user id). */
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
    response: { message_id: string; meeting_id: string; emoji: string; action: 'added' | 'removed'; counts: ReactionCounts; broadcast: BroadcastOutcome };
  };
  join: {
    request: { meeting_id: string };
    response: { participant: ParticipantRow; topic: `meeting:${string}`; presence_key: string; messages: ChatMessage[]; broadcast: BroadcastOutcome };
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
  | 'method_not_allowed' | 'meeting_ended' | 'message_deleted' | 'invalid_status_transition' | 'client_id_conflict' | 'conflict'
  | 'payload_too_large' | 'unsupported_media_type' | 'rate_limited'
  // 5xx: never a client's mistake
  | 'internal_error' | 'upstream_unavailable';
