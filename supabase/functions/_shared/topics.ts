// The private channel topics, defined once where the functions can load them (workers may read only
// supabase/functions); types/events.ts re-exports them for clients and tests.
export const meetingTopic = (meetingId: string) => `meeting:${meetingId}` as const;
export const userTopic = (userId: string) => `user:${userId}` as const;
export const orgTopic = (organizationId: string) => `org:${organizationId}` as const;
/** The one canonical dm topic of a pair: the smaller id first. */
export const dmTopic = (a: string, b: string) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`) as `dm:${string}:${string}`;
