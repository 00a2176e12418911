// POST {meeting_id, state[, user_id]} → changes participant state (allowed keys only); broadcasts
// `participant_updated`. GET ?meeting_id= → everyone present with their state.
// Who is online is Realtime Presence, tracked by clients; fast-changing state goes by broadcast, because Presence
// allows only a few calls per client per 30 s.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { meetingInput, presenceInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'presence',
  post: route({
    input: presenceInput,
    async run({ meeting_id, state, user_id }, { supabase }, { log }): Promise<FunctionResponse<'presence'>> {
      const participant = await callRpc(supabase, 'update_participant_state', { meeting_id, state, user_id });
      const payload: MeetingEvents['participant_updated'] = { meeting_id, participant };
      const outcome = await broadcastToMeeting(meeting_id, 'participant_updated', payload, { log });
      return { participant, broadcast: outcome };
    },
  }),
  get: route({
    input: meetingInput,
    async run({ meeting_id }, { supabase }): Promise<FunctionResponse<'presence:get'>> {
      const participants = await callRpc(supabase, 'list_participants', { meeting_id });
      return { participants };
    },
  }),
});

Deno.serve(handler);
