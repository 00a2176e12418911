// Display names by user id for the room: participants bring theirs; anyone else whose messages are on screen (who
// left, or was removed) is read from `profiles` once. Components ask with useName(id).
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { type MeetingSupabase } from '../../client/src/index.ts';
import { useMessages, useParticipants } from '../../client/src/react.ts';

const NamesContext = createContext<ReadonlyMap<string, string>>(new Map());

export function NamesProvider({ supabase, children }: { supabase: MeetingSupabase; children?: ReactNode }) {
  const participants = useParticipants();
  const messages = useMessages();
  const [looked, setLooked] = useState<ReadonlyMap<string, string>>(new Map());

  const known = useMemo(() => {
    const names = new Map(looked);
    for (const p of participants) if (p.full_name) names.set(p.user_id, p.full_name);
    return names;
  }, [participants, looked]);

  const missing = useMemo(() => {
    const ids = new Set<string>();
    for (const m of messages) if (!known.has(m.sender_id)) ids.add(m.sender_id);
    for (const p of participants) if (!known.has(p.user_id)) ids.add(p.user_id);
    return [...ids].sort();
  }, [messages, participants, known]);
  const missingKey = missing.join(',');

  useEffect(() => {
    if (!missingKey) return;
    let cancelled = false;
    const ids = missingKey.split(',');
    void supabase
      .from('profiles')
      .select('id, full_name')
      .in('id', ids)
      .then(({ data }) => {
        if (cancelled) return;
        setLooked((prev) => {
          const next = new Map(prev);
          // Someone we may not see (another organization, a deleted user) keeps a placeholder: asked once.
          for (const id of ids) next.set(id, data?.find((p) => p.id === id)?.full_name ?? 'Former participant');
          return next;
        });
      });
    return () => {
      cancelled = true;
    };
  }, [supabase, missingKey]);

  return <NamesContext.Provider value={known}>{children}</NamesContext.Provider>;
}

export function useName(userId: string): string {
  return useContext(NamesContext).get(userId) ?? 'Someone';
}

export function useNames(): ReadonlyMap<string, string> {
  return useContext(NamesContext);
}
