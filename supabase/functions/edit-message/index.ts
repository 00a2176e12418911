// POST {message_id, content} → the edited message (sender only); broadcasts `message_edited`.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { editMessageInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'edit-message',
  post: route({
    input: editMessageInput,
    async run(input, { supabase }, { log }): Promise<FunctionResponse<'edit-message'>> {
      const message = await callRpc(supabase, 'edit_message', input);
      const payload: MeetingEvents['message_edited'] = { message };
      const outcome = await broadcastToMeeting(message.meeting_id, 'message_edited', payload, { log });
      return { message, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
