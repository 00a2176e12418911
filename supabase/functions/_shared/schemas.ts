// Input schemas of every function (zod), mirroring the request types of types/events.ts. Ids are checked as
// 8-4-4-4-12 hex (guid, not strict RFC variants: seed ids are valid Postgres uuids that are not RFC 4122).
import { z } from 'zod';
import type { FunctionRequest } from '../../../types/events.ts';

const id = z.guid({ message: 'must be a uuid' });
/** Text Postgres can store: no NUL character (it refuses one in any text value). */
const text = () => z.string().refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });
const content = text().trim().min(1, { message: 'must not be empty' }).max(4000, { message: 'must be at most 4000 characters' });

export const sendMessageInput = z.strictObject({
  meeting_id: id,
  content,
  client_id: text().min(1).max(64, { message: 'must be at most 64 characters' }),
}) satisfies z.ZodType<FunctionRequest<'send-message'>>;

export const editMessageInput = z.strictObject({ message_id: id, content }) satisfies z.ZodType<FunctionRequest<'edit-message'>>;
export const deleteMessageInput = z.strictObject({ message_id: id }) satisfies z.ZodType<FunctionRequest<'delete-message'>>;

export const reactInput = z.strictObject({
  message_id: id,
  emoji: text().min(1).max(16, { message: 'must be a single emoji' }),
}) satisfies z.ZodType<FunctionRequest<'react'>>;

export const meetingInput = z.strictObject({ meeting_id: id }) satisfies z.ZodType<FunctionRequest<'join'>>;

export const participantState = z.strictObject({
  is_muted: z.boolean().optional(),
  is_video_on: z.boolean().optional(),
  is_screen_sharing: z.boolean().optional(),
  is_hand_raised: z.boolean().optional(),
  status: z.enum(['active', 'away', 'busy']).optional(),
}).refine((state) => Object.keys(state).length > 0, { message: 'must change at least one key' });

export const presenceInput = z.strictObject({
  meeting_id: id,
  state: participantState,
  user_id: id.optional(),
}) satisfies z.ZodType<FunctionRequest<'presence'>>;

export const meetingStatusInput = z.strictObject({
  meeting_id: id,
  status: z.enum(['live', 'ended']),
}) satisfies z.ZodType<FunctionRequest<'meeting-status'>>;

export const removeParticipantInput = z.strictObject({ meeting_id: id, user_id: id }) satisfies z.ZodType<FunctionRequest<'remove-participant'>>;
