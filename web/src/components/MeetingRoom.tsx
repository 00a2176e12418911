// One meeting: useMeeting joins it while this is mounted (history, participants, channels: client/src/react.ts),
// then the room's parts read their slices of the session's state through the client's hooks.
import { useEffect, useId, useState } from 'react';
import { type MeetingActionError, type MeetingSupabase } from '../../../client/src/index.ts';
import {
  MeetingProvider,
  useMeeting,
  useMeetingRow,
  useMeetingSession,
  useMeetingState,
} from '../../../client/src/react.ts';
import type { MeetingRow } from '../../../types/contract.ts';
import { NamesProvider } from '../names.tsx';
import { ActionErrors } from './ActionErrors.tsx';
import { CursorArea } from './CursorArea.tsx';
import { HostControls } from './HostControls.tsx';
import { MeetingChat } from './MeetingChat.tsx';
import { MyControls } from './MyControls.tsx';
import { ParticipantList } from './ParticipantList.tsx';
import { StatusBanner } from './StatusBanner.tsx';

interface Props {
  supabase: MeetingSupabase;
  /** The row from the meetings list (its title shows while joining). */
  meeting: MeetingRow;
  userId: string;
  onExit(): void;
}

export function MeetingRoom(props: Props) {
  // "Try again" mounts a new attempt: useMeeting joins once per mount.
  const [attempt, setAttempt] = useState(0);
  return <JoinedRoom key={attempt} {...props} onRetry={() => setAttempt((n) => n + 1)} />;
}

function JoinedRoom({ supabase, meeting, userId, onExit, onRetry }: Props & { onRetry(): void }) {
  const join = useMeeting(supabase, meeting.id);
  const ids = useId();

  if (join.status === 'joining') {
    return (
      <section className="notice" aria-labelledby={`${ids}-joining`}>
        <h1 id={`${ids}-joining`}>{meeting.title}</h1>
        <p role="status">Joining the meeting: loading its messages and participants…</p>
        <progress aria-label="Joining the meeting" />
      </section>
    );
  }
  if (join.status === 'failed') {
    const error = join.error as Partial<MeetingActionError>;
    return (
      <section className="notice" aria-labelledby={`${ids}-failed`}>
        <h1 id={`${ids}-failed`}>{meeting.title}</h1>
        <p role="alert" className="error">
          {error.status === 403
            ? 'You cannot join this meeting: '
            : error.status === 409
              ? 'Not now: '
              : 'Joining failed: '}
          {error.message}
        </p>
        <p className="actions">
          {error.status !== 403 && (
            <button type="button" onClick={onRetry}>
              Try again
            </button>
          )}
          <button type="button" className="secondary" onClick={onExit}>
            Back to meetings
          </button>
        </p>
      </section>
    );
  }
  return (
    <MeetingProvider session={join.session}>
      <NamesProvider supabase={supabase}>
        <Room userId={userId} fallbackTitle={meeting.title} onExit={onExit} />
      </NamesProvider>
    </MeetingProvider>
  );
}

function Room({ userId, fallbackTitle, onExit }: { userId: string; fallbackTitle: string; onExit(): void }) {
  const session = useMeetingSession();
  const meeting = useMeetingRow();
  const closedReason = useMeetingState((s) => s.closedReason);
  const [leaving, setLeaving] = useState(false);
  const ids = useId();

  useEffect(() => {
    // For bench:web and the browser's performance panel: from the click in the list to the room on screen.
    performance.mark('meeting-room:ready');
    if (performance.getEntriesByName('meeting-room:open', 'mark').length > 0) {
      performance.measure('meeting-room', 'meeting-room:open', 'meeting-room:ready');
    }
  }, []);

  useEffect(() => {
    if (closedReason === 'left') onExit();
  }, [closedReason, onExit]);

  const isHost = meeting?.host_id === userId;
  return (
    <div className="room">
      <header className="room-header">
        <h1 id={`${ids}-title`}>{meeting?.title ?? fallbackTitle}</h1>
        <div className="room-header-actions">
          {closedReason === null ? (
            <button
              type="button"
              className="secondary"
              disabled={leaving}
              aria-busy={leaving}
              onClick={() => {
                setLeaving(true);
                // A refused leave shows in ActionErrors; the session closes either way.
                void session.leave().catch(() => {});
              }}
            >
              {leaving ? 'Leaving…' : 'Leave meeting'}
            </button>
          ) : (
            <button type="button" className="secondary" onClick={onExit}>
              Back to meetings
            </button>
          )}
        </div>
      </header>
      <StatusBanner />
      <ActionErrors />
      <div className="room-grid">
        <section className="panel chat-panel" aria-labelledby={`${ids}-chat`}>
          <h2 id={`${ids}-chat`}>Chat</h2>
          <MeetingChat isHost={isHost} />
        </section>
        <aside className="panel side-panel" aria-label="People and controls">
          <MyControls />
          {isHost && <HostControls />}
          <ParticipantList />
        </aside>
        <section className="panel board-panel" aria-labelledby={`${ids}-board`}>
          <h2 id={`${ids}-board`}>Shared board</h2>
          <CursorArea />
        </section>
      </div>
    </div>
  );
}
