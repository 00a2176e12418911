// CORS for browsers calling functions directly (hosted Supabase does not add these for you; the local gateway does).
export const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers':
    'authorization, x-client-info, apikey, content-type, x-retry-count, traceparent, tracestate, baggage',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'retry-after',
};

export function preflight(): Response {
  return new Response('ok', { headers: corsHeaders });
}
