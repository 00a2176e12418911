// The private channel topics, defined once where the functions can load them (workers may read only
// supabase/functions); types/events.ts re-exports them for clients and tests. Which topic carries what, and who may
// write there, is the channel policy in supabase/migrations/*_realtime_channel_authorization.sql.

/** Server events of one meeting: clients receive, only functions (service role) and the database write. */
export const meetingTopic = (meetingId: string) => `meeting:${meetingId}` as const;
/** Client events of one meeting (typing, cursors) and its Presence: every present member receives and writes. */
export const meetingEphemeralTopic = (meetingId: string) => `meeting:${meetingId}:ephemeral` as const;
/** Server notices to one user (e.g. participant_removed): only that user receives; no client writes. */
export const userTopic = (userId: string) => `user:${userId}` as const;
export const orgTopic = (organizationId: string) => `org:${organizationId}` as const;
/** The one canonical dm topic of a pair: the smaller id first. */
export const dmTopic = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`) as `dm:${string}:${string}`;
