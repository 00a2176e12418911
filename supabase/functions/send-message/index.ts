// POST {meeting_id, content, client_id} → the stored message; broadcasts `message` on meeting:<id>.
// A retry with the same client_id returns the original with duplicate: true and does not broadcast again.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { sendMessageInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'send-message',
  post: route({
    input: sendMessageInput,
    async run(input, { supabase }, { log }): Promise<FunctionResponse<'send-message'>> {
      const { duplicate, ...message } = await callRpc(supabase, 'send_message', input);
      if (duplicate) return { message, duplicate: true, broadcast: 'skipped' };
      const payload: MeetingEvents['message'] = { message };
      const outcome = await broadcastToMeeting(message.meeting_id, 'message', payload, { log });
      return { message, duplicate: false, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
