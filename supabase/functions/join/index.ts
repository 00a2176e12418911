// POST {meeting_id} → joins (or re-joins) the meeting: the participant, the two channel topics (server events; client
// events and Presence) and the presence key to use, and the newest 50 messages for first paint; broadcasts
// `participant_joined`.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { meetingInput } from '../_shared/schemas.ts';
import { meetingEphemeralTopic, meetingTopic } from '../../../types/contract.ts';

export const handler = defineFunction({
  name: 'join',
  post: route({
    input: meetingInput,
    async run({ meeting_id }, { supabase, userId }, { log }): Promise<FunctionResponse<'join'>> {
      const participant = await callRpc(supabase, 'join_meeting', { meeting_id });
      // The read for first paint; membership was just granted, so this cannot be refused for it.
      const messages = await callRpc(supabase, 'get_messages', { meeting_id, page_size: 50 });
      const payload: MeetingEvents['participant_joined'] = { meeting_id, participant };
      const outcome = await broadcastToMeeting(meeting_id, 'participant_joined', payload, { log });
      return {
        participant,
        topic: meetingTopic(meeting_id),
        ephemeral_topic: meetingEphemeralTopic(meeting_id),
        presence_key: userId,
        messages,
        broadcast: outcome,
      };
    },
  }),
});

Deno.serve(handler);
