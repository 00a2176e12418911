// The meetings of my organization, live: one read of `meetings` (RLS decides which rows I see) and Postgres Changes
// on public.meetings filtered to my organization. Rows merge by `version` (types/contract.ts), so a change that
// arrives before, during or after a read leaves the newest row; the list is read again whenever the subscription
// (re)starts, because changes made before the server confirmed it would otherwise be missed, and when the browser
// comes back online or to the foreground. supabase-js rejoins a channel after a dropped socket, but not one the
// server closed (a Realtime restart): such a channel is replaced, with a growing pause between tries.
import type { RealtimeChannel, RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MeetingSupabase } from '../../client/src/index.ts';
import type { MeetingRow } from '../../types/contract.ts';

export interface MeetingsState {
  status: 'loading' | 'ready' | 'error';
  meetings: MeetingRow[];
  /** Whether changes arrive live right now (false while the subscription (re)connects). */
  live: boolean;
  error: string | null;
  /** The latest status change of a listed meeting, for a screen-reader announcement. */
  announcement: string | null;
}

const order = (a: MeetingRow, b: MeetingRow) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id);

function mergeRows(held: Map<string, MeetingRow>, rows: readonly MeetingRow[]): boolean {
  let changed = false;
  for (const row of rows) {
    const current = held.get(row.id);
    if (current && Number(current.version) >= Number(row.version)) continue;
    held.set(row.id, { ...row, version: Number(row.version) });
    changed = true;
  }
  return changed;
}

const statusWords: Record<MeetingRow['status'], string> = {
  scheduled: 'is scheduled',
  live: 'is now live',
  ended: 'has ended',
};

export function useOrgMeetings(
  supabase: MeetingSupabase,
  organizationId: string | null,
): MeetingsState & {
  /** Adds a row I just wrote (an insert's answer) without waiting for its change event. */
  add(row: MeetingRow): void;
} {
  const [state, setState] = useState<MeetingsState>({
    status: 'loading',
    meetings: [],
    live: false,
    error: null,
    announcement: null,
  });
  const rows = useRef(new Map<string, MeetingRow>());

  const publish = useCallback((patch: Partial<MeetingsState> = {}) => {
    setState((s) => ({ ...s, ...patch, meetings: [...rows.current.values()].sort(order) }));
  }, []);

  const add = useCallback(
    (row: MeetingRow) => {
      if (mergeRows(rows.current, [row])) publish();
    },
    [publish],
  );

  useEffect(() => {
    rows.current = new Map();
    if (!organizationId) {
      setState({ status: 'ready', meetings: [], live: false, error: null, announcement: null });
      return;
    }
    setState({ status: 'loading', meetings: [], live: false, error: null, announcement: null });
    let cancelled = false;
    let reading = 0;
    const read = async () => {
      const mine = ++reading;
      const { data, error } = await supabase
        .from('meetings')
        .select('*')
        .eq('organization_id', organizationId)
        .order('created_at', { ascending: false });
      if (cancelled || mine !== reading) return;
      if (error) return publish({ status: rows.current.size ? 'ready' : 'error', error: error.message });
      mergeRows(rows.current, data as MeetingRow[]);
      publish({ status: 'ready', error: null });
    };
    const onChange = (change: RealtimePostgresChangesPayload<MeetingRow>) => {
      if (cancelled) return;
      if (change.eventType === 'DELETE') {
        const id = (change.old as Partial<MeetingRow>).id;
        if (id && rows.current.delete(id)) publish();
        return;
      }
      const before = rows.current.get(change.new.id);
      if (!mergeRows(rows.current, [change.new])) return;
      const after = rows.current.get(change.new.id)!;
      const announcement =
        before && before.status !== after.status ? `${after.title} ${statusWords[after.status]}.` : undefined;
      publish(announcement ? { announcement } : {});
    };
    let channel: RealtimeChannel;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const open = () => {
      const opened: RealtimeChannel = supabase
        .channel(`meetings-list:${organizationId}:${crypto.randomUUID()}`)
        .on<MeetingRow>(
          'postgres_changes',
          { event: '*', schema: 'public', table: 'meetings', filter: `organization_id=eq.${organizationId}` },
          onChange,
        )
        // The server's confirmation of the Postgres Changes subscription comes after SUBSCRIBED: read again then.
        .on('system', {}, (message: { status?: string; extension?: string }) => {
          if (message?.extension === 'postgres_changes' && message.status === 'ok') void read();
        });
      channel = opened;
      opened.subscribe((status) => {
        if (cancelled || opened !== channel) return;
        if (status === 'SUBSCRIBED') {
          failures = 0;
          publish({ live: true });
          void read();
          return;
        }
        publish({ live: false });
        if (status === 'CLOSED' || failures > 0) reopenLater();
        failures++;
      });
    };
    const reopenLater = () => {
      if (retry) return;
      retry = setTimeout(
        async () => {
          retry = undefined;
          if (cancelled || channel.state === 'joined') return;
          const old = channel;
          await supabase.removeChannel(old);
          // A socket that stays down after the server closed every channel is started afresh.
          if (failures > 2 && !supabase.realtime.isConnected()) await supabase.realtime.disconnect();
          if (!cancelled) open();
        },
        Math.min(10_000, 1000 * 2 ** Math.min(failures, 4)),
      );
    };
    const refresh = () => {
      if (document.visibilityState === 'visible') void read();
    };
    open();
    void read(); // the list at once, before the subscription is up
    window.addEventListener('online', refresh);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      cancelled = true;
      if (retry) clearTimeout(retry);
      window.removeEventListener('online', refresh);
      document.removeEventListener('visibilitychange', refresh);
      void supabase.removeChannel(channel);
    };
  }, [supabase, organizationId, publish]);

  return { ...state, add };
}
