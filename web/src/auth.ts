// Who is signed in, and their profile (name, organization, role in it). The session comes from supabase-js's own
// auth events (it keeps the session in localStorage and refreshes it); the profile is read once per user.
import type { User } from '@supabase/supabase-js';
import { useEffect, useState } from 'react';
import type { MeetingSupabase } from '../../client/src/index.ts';
import type { Database } from '../../types/database.ts';

type ProfileRow = Database['public']['Tables']['profiles']['Row'];

export interface Profile {
  id: string;
  fullName: string | null;
  email: string | null;
  organizationId: string | null;
  organizationName: string | null;
  orgRole: ProfileRow['org_role'];
}

export type AuthState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  /** profile: undefined while it is read, null when the user has none (or it could not be read: profileError). */
  | { status: 'signed_in'; user: User; profile: Profile | null | undefined; profileError: string | null };

export function useAuth(supabase: MeetingSupabase): AuthState {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [profile, setProfile] = useState<{ userId: string; profile: Profile | null; error: string | null } | null>(
    null,
  );

  useEffect(() => {
    // The callback only records the user: supabase-js must not be called from inside it (it holds its auth lock).
    const { data } = supabase.auth.onAuthStateChange((_event, session) => {
      setUser((prev) => (prev?.id === session?.user.id ? (prev ?? null) : (session?.user ?? null)));
    });
    return () => data.subscription.unsubscribe();
  }, [supabase]);

  const userId = user?.id;
  useEffect(() => {
    if (!userId) return;
    let cancelled = false;
    void (async () => {
      const { data, error } = await supabase
        .from('profiles')
        .select('id, full_name, organization_id, org_role')
        .eq('id', userId)
        .maybeSingle();
      let organizationName: string | null = null;
      if (data?.organization_id) {
        const org = await supabase.from('organizations').select('name').eq('id', data.organization_id).maybeSingle();
        organizationName = org.data?.name ?? null;
      }
      if (cancelled) return;
      setProfile({
        userId,
        profile: data
          ? {
              id: data.id,
              fullName: data.full_name,
              email: user?.email ?? null,
              organizationId: data.organization_id,
              organizationName,
              orgRole: data.org_role,
            }
          : null,
        error: error ? error.message : null,
      });
    })();
    return () => {
      cancelled = true;
    };
    // The email is read with the profile; a new session of the same user needs no new read.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [supabase, userId]);

  if (user === undefined) return { status: 'loading' };
  if (user === null) return { status: 'signed_out' };
  const mine = profile?.userId === user.id ? profile : null;
  return { status: 'signed_in', user, profile: mine ? mine.profile : undefined, profileError: mine?.error ?? null };
}
