// The host starts and ends the meeting (set_meeting_status through the meeting-status function; everyone learns it
// from the database's meeting_status_changed). Ending asks once more: it ends the meeting for everyone.
import { useState } from 'react';
import { useMeetingRow, useMeetingSession, useMeetingState } from '../../../client/src/react.ts';

export function HostControls() {
  const session = useMeetingSession();
  const meeting = useMeetingRow();
  const closed = useMeetingState((s) => s.connection === 'closed');
  const [busy, setBusy] = useState<'live' | 'ended' | null>(null);
  const [confirming, setConfirming] = useState(false);
  if (!meeting || closed || meeting.status === 'ended') return null;
  const set = (status: 'live' | 'ended') => {
    setBusy(status);
    setConfirming(false);
    void session
      .setMeetingStatus(status)
      .catch(() => {})
      .finally(() => setBusy(null));
  };
  return (
    <section className="host-controls" aria-labelledby="host-controls-heading">
      <h2 id="host-controls-heading">Host controls</h2>
      {meeting.status === 'scheduled' && (
        <button type="button" onClick={() => set('live')} disabled={busy !== null} aria-busy={busy === 'live'}>
          {busy === 'live' ? 'Starting…' : 'Start meeting'}
        </button>
      )}
      {meeting.status === 'live' && !confirming && (
        <button
          type="button"
          className="danger"
          onClick={() => setConfirming(true)}
          disabled={busy !== null}
          aria-busy={busy === 'ended'}
        >
          {busy === 'ended' ? 'Ending…' : 'End meeting'}
        </button>
      )}
      {confirming && (
        <div role="group" aria-label="Confirm ending the meeting" className="confirm">
          <p>End the meeting for everyone?</p>
          <button type="button" className="danger" onClick={() => set('ended')}>
            End for everyone
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
