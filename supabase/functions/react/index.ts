// POST {message_id, emoji} → toggles your reaction: {action: added|removed, counts, version}; broadcasts `reaction`.
// The counts are exact at `version` (the message's reactions_version), so receivers keep the highest version.
import type { FunctionResponse, MeetingEvents } from '../../../types/contract.ts';
import { broadcastToMeeting } from '../_shared/broadcast.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { reactInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'react',
  post: route({
    input: reactInput,
    async run(input, { supabase, userId }, { log }): Promise<FunctionResponse<'react'>> {
      const toggled = await callRpc(supabase, 'toggle_reaction', input);
      const payload: MeetingEvents['reaction'] = { ...toggled, user_id: userId };
      const outcome = await broadcastToMeeting(payload.meeting_id, 'reaction', payload, { log });
      const { user_id: _user, ...reply } = payload;
      return { ...reply, broadcast: outcome };
    },
  }),
});

Deno.serve(handler);
