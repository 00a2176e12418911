// POST {meeting_id, user_id} → the host or a cohost removes someone. The database tells the removed user on
// user:<id> (participant_removed) in the same transaction; here everyone on the meeting channel learns
// `participant_left` with reason 'removed'. The removed user's channel access ends as docs/authorization.md says.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { removeParticipantInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'remove-participant',
  post: route({
    input: removeParticipantInput,
    async run(input, { supabase }, { log }): Promise<FunctionResponse<'remove-participant'>> {
      const participant = await callRpc(supabase, 'remove_participant', input);
      const payload: MeetingEvents['participant_left'] = {
        meeting_id: input.meeting_id,
        participant,
        reason: 'removed',
      };
      const outcome = await broadcastToMeeting(input.meeting_id, 'participant_left', payload, { log });
      return { participant, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
