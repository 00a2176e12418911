// Input schemas of every function (zod), mirroring the request types of types/contract.ts. Limits and state keys come
// from types/rules.ts (generated from private.settings), so a limit changes in one migration. A field that breaks a
// rule the database also enforces answers the database's reason (content_too_long, not validation_failed): see
// `fieldCodes`. Ids are checked as 8-4-4-4-12 hex (guid, not strict RFC variants: seed ids are valid Postgres uuids
// that are not RFC 4122).
import { z } from 'zod';
import {
  type ErrorCode,
  type FunctionRequest,
  LIMITS,
  type OperatorFunctionContract,
  PARTICIPANT_STATE_KEYS,
  type ParticipantStateKey,
} from '../../../types/contract.ts';
import { Constants } from '../../../types/database.ts';

const id = z.guid({ message: 'must be a uuid' });
/** A UTF-16 surrogate without its other half: JSON may carry one (`"\ud800"`), UTF-8 cannot encode it. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Text Postgres can store: no NUL character (it refuses one in any text value), nothing UTF-8 cannot encode. */
const text = () =>
  z
    .string()
    .refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' })
    .refine((s) => !loneSurrogate.test(s), { message: 'must be valid Unicode (no unpaired surrogate)' });
const content = text()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(LIMITS.message_max_length, { message: `must be at most ${LIMITS.message_max_length} characters` });

/** The reason a single failing field answers, by field name and zod issue code (the rest: validation_failed). */
export const fieldCodes: Record<string, Partial<Record<string, ErrorCode>>> = {
  content: { too_small: 'content_empty', too_big: 'content_too_long' },
  client_id: { too_small: 'invalid_client_id', too_big: 'invalid_client_id', custom: 'invalid_client_id' },
  emoji: { too_small: 'invalid_emoji', too_big: 'invalid_emoji', custom: 'invalid_emoji' },
};

export const sendMessageInput = z.strictObject({
  meeting_id: id,
  content,
  client_id: text()
    .min(1, { message: 'must not be empty' })
    .max(LIMITS.client_id_max_length, { message: `must be at most ${LIMITS.client_id_max_length} characters` }),
}) satisfies z.ZodType<FunctionRequest<'send-message'>>;

export const editMessageInput = z.strictObject({ message_id: id, content }) satisfies z.ZodType<
  FunctionRequest<'edit-message'>
>;
export const deleteMessageInput = z.strictObject({ message_id: id }) satisfies z.ZodType<
  FunctionRequest<'delete-message'>
>;

export const reactInput = z.strictObject({
  message_id: id,
  emoji: text()
    .min(1, { message: 'must be a single emoji' })
    .max(LIMITS.emoji_max_length, { message: 'must be a single emoji' }),
}) satisfies z.ZodType<FunctionRequest<'react'>>;

export const meetingInput = z.strictObject({ meeting_id: id }) satisfies z.ZodType<FunctionRequest<'join'>>;

// Each state key's type; the keys themselves are PARTICIPANT_STATE_KEYS (a key added there without a type here fails
// the type check below).
const stateTypes = {
  is_muted: z.boolean(),
  is_video_on: z.boolean(),
  is_screen_sharing: z.boolean(),
  is_hand_raised: z.boolean(),
  status: z.enum(Constants.public.Enums.participant_status),
} satisfies Record<ParticipantStateKey, z.ZodType>;

export const participantState = z
  .strictObject(
    Object.fromEntries(PARTICIPANT_STATE_KEYS.map((k) => [k, stateTypes[k].optional()])) as {
      [K in ParticipantStateKey]: z.ZodOptional<(typeof stateTypes)[K]>;
    },
  )
  .refine((state) => Object.keys(state).length > 0, { message: 'must change at least one key' });

export const presenceInput = z.strictObject({
  meeting_id: id,
  state: participantState,
  user_id: id.optional(),
}) satisfies z.ZodType<FunctionRequest<'presence'>>;

export const meetingStatusInput = z.strictObject({
  meeting_id: id,
  status: z.enum(['live', 'ended']),
}) satisfies z.ZodType<FunctionRequest<'meeting-status'>>;

export const removeParticipantInput = z.strictObject({ meeting_id: id, user_id: id }) satisfies z.ZodType<
  FunctionRequest<'remove-participant'>
>;

/** GET /metrics takes nothing (a scraper's query parameters are ignored). */
export const metricsInput = z.object({}) satisfies z.ZodType<OperatorFunctionContract['metrics']['request']>;
