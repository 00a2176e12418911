// POST {meeting_id, status: live|ended} → the host starts or ends the meeting. No broadcast here: the database
// trigger sends `meeting_status_changed` to meeting:<id> in the same transaction as the change.
import type { FunctionResponse } from '../../../types/contract.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { meetingStatusInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'meeting-status',
  post: route({
    input: meetingStatusInput,
    async run(input, { supabase }): Promise<FunctionResponse<'meeting-status'>> {
      return { meeting: await callRpc(supabase, 'set_meeting_status', input) };
    },
  }),
});

Deno.serve(handler);
