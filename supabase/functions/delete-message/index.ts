// POST {message_id} → the soft-deleted message (sender or host); broadcasts `message_deleted`.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { deleteMessageInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'delete-message',
  post: route({
    input: deleteMessageInput,
    async run(input, { supabase }, { log }): Promise<FunctionResponse<'delete-message'>> {
      // The RPC answers the message as clients see it: content is already null.
      const message = await callRpc(supabase, 'delete_message', input);
      const payload: MeetingEvents['message_deleted'] = {
        message_id: message.id,
        meeting_id: message.meeting_id,
        deleted_at: message.deleted_at as string,
        version: message.version,
      };
      const outcome = await broadcastToMeeting(message.meeting_id, 'message_deleted', payload, { log });
      return { message, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
