// POST {meeting_id} → leaves the meeting; broadcasts `participant_left` with the versioned row. Only the leaver
// goes: the meeting and everyone else's channel stay as they are (the leaver's client unsubscribes itself).
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { meetingInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'leave',
  post: route({
    input: meetingInput,
    async run({ meeting_id }, { supabase }, { log }): Promise<FunctionResponse<'leave'>> {
      const participant = await callRpc(supabase, 'leave_meeting', { meeting_id });
      const payload: MeetingEvents['participant_left'] = { meeting_id, participant, reason: 'left' };
      const outcome = await broadcastToMeeting(meeting_id, 'participant_left', payload, { log });
      return { participant, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
