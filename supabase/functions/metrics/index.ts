// GET → the product's broadcast counters in Prometheus text, for an operator's scraper where there is no gateway of
// ours (hosted Supabase; locally the gateway's GET /metrics serves the same text beside Realtime's own). Service role
// only. The counters live in the database and one SQL function renders them (public.broadcast_metrics), so every
// worker answers the same numbers, whichever workers recorded them.
import type { OperatorFunctionContract } from '../../../types/contract.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { defineFunction, route } from '../_shared/http.ts';
import { callRpc } from '../_shared/rpc.ts';
import { metricsInput } from '../_shared/schemas.ts';

export const handler = defineFunction({
  name: 'metrics',
  access: 'service_role',
  get: route({
    input: metricsInput,
    async run(_input, { supabase }): Promise<Response> {
      const text: OperatorFunctionContract['metrics']['response'] = await callRpc(supabase, 'broadcast_metrics', {});
      return new Response(text, { headers: { ...corsHeaders, 'Content-Type': 'text/plain; version=0.0.4' } });
    },
  }),
});

Deno.serve(handler);
