// @meeting-realtime/client: a typed meeting client on top of @supabase/supabase-js, for browsers and Node.
export {
  createMeetingClient,
  joinMeeting,
  MeetingSession,
  type MeetingOptions,
  type SessionEvents,
} from './meeting.ts';
export { invokeFunction, MeetingActionError, type MeetingSupabase } from './invoke.ts';
export { sendMessage, type SendMessageOptions } from './send.ts';
export type {
  ActionError,
  CloseReason,
  ConnectionState,
  Cursor,
  MeetingState,
  Participant,
  PendingMessage,
} from './state.ts';
