// React bindings over the meeting client: `useMeeting` owns a session for as long as the component that calls it is
// mounted (an unmount disposes its channels and timers; it does not leave the meeting), and the other hooks read
// slices of its state with useSyncExternalStore, so concurrent rendering never tears and a component re-renders only
// when its slice changes.
import {
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
} from 'react';
import type { MeetingSupabase } from './invoke.ts';
import { joinMeeting, type MeetingOptions, type MeetingSession } from './meeting.ts';
import type { ConnectionState, Cursor, MeetingState, Participant, PendingMessage } from './state.ts';
import type { ChatMessage } from '../../types/contract.ts';

export type MeetingJoin =
  | { status: 'joining'; session: null; error: null }
  | { status: 'joined'; session: MeetingSession; error: null }
  | { status: 'failed'; session: null; error: Error };

/**
 * What each client is still tearing down: realtime-js keeps one channel per topic and client, so a new join of the
 * same meeting must wait until the previous session's channels are removed.
 */
const teardowns = new WeakMap<MeetingSupabase, Promise<void>>();

/**
 * Joins `meetingId` while mounted. `null` joins nothing (e.g. before a meeting is chosen). Safe under StrictMode:
 * the join starts a task later, so a mount that is undone at once (StrictMode's double effect) never joins, and a
 * remount waits for the previous session's channels to be gone.
 */
export function useMeeting(supabase: MeetingSupabase, meetingId: string | null, options?: MeetingOptions): MeetingJoin {
  const [join, setJoin] = useState<MeetingJoin>({ status: 'joining', session: null, error: null });
  useEffect(() => {
    if (!meetingId) return;
    let cancelled = false;
    let session: MeetingSession | undefined;
    const dispose = (s: MeetingSession) => {
      const done = (teardowns.get(supabase) ?? Promise.resolve()).then(() => s.dispose());
      teardowns.set(supabase, done);
    };
    setJoin({ status: 'joining', session: null, error: null });
    const start = setTimeout(() => {
      void (teardowns.get(supabase) ?? Promise.resolve())
        .then(() => joinMeeting(supabase, meetingId, options))
        .then(
          (s) => {
            session = s;
            if (cancelled)
              dispose(s); // unmounted while joining: leave nothing behind
            else setJoin({ status: 'joined', session: s, error: null });
          },
          (error: Error) => {
            if (!cancelled) setJoin({ status: 'failed', session: null, error });
          },
        );
    }, 0);
    return () => {
      cancelled = true;
      clearTimeout(start);
      if (session) dispose(session);
    };
    // Options are read once per join; pass a stable object to change them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [supabase, meetingId]);
  return join;
}

const SessionContext = createContext<MeetingSession | null>(null);

/** Makes a joined session available to the hooks below. */
export function MeetingProvider({ session, children }: { session: MeetingSession; children?: ReactNode }) {
  return createElement(SessionContext.Provider, { value: session }, children);
}

export function useMeetingSession(): MeetingSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useMeetingSession needs a <MeetingProvider session={…}> above it');
  return session;
}

/** A slice of the meeting's state; `select` must return a part of the state (not a new object) to stay stable. */
export function useMeetingState<T>(select: (state: MeetingState) => T): T {
  const session = useMeetingSession();
  return useSyncExternalStore(
    session.subscribe,
    () => select(session.getState()),
    () => select(session.getState()),
  );
}

export const useMessages = (): ChatMessage[] => useMeetingState((s) => s.messages);
export const usePendingMessages = (): PendingMessage[] => useMeetingState((s) => s.pending);
export const useParticipants = (): Participant[] => useMeetingState((s) => s.participants);
export const useTyping = (): string[] => useMeetingState((s) => s.typing);
export const useCursors = (): Record<string, Cursor> => useMeetingState((s) => s.cursors);
export const useConnectionState = (): ConnectionState => useMeetingState((s) => s.connection);
export const useMeetingRow = () => useMeetingState((s) => s.meeting);
export const useActionErrors = () => useMeetingState((s) => s.errors);
