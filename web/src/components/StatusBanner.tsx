// The meeting's status and this tab's connection, in one polite live region; the end and a removal are said plainly.
import { useConnectionState, useMeetingRow, useMeetingState } from '../../../client/src/react.ts';
import type { CloseReason, ConnectionState } from '../../../client/src/index.ts';

const connectionText: Record<Exclude<ConnectionState, 'closed'>, string> = {
  connecting: 'Connecting…',
  live: 'Connected',
  reconnecting: 'Reconnecting: catching up on what you missed…',
  offline: 'You are offline. Messages you send wait and go out when you are back.',
};

const closedText: Record<CloseReason, string> = {
  ended: 'The host ended this meeting.',
  removed: 'You were removed from this meeting. You no longer receive its messages.',
  left: 'You left this meeting.',
  signed_out: 'You signed out.',
  failed: 'The connection to this meeting failed. Go back and join again.',
};

export function StatusBanner() {
  const connection = useConnectionState();
  const closedReason = useMeetingState((s) => s.closedReason);
  const meeting = useMeetingRow();

  if (connection === 'closed') {
    return (
      <div className={`banner closed reason-${closedReason ?? 'failed'}`} role="alert">
        {closedText[closedReason ?? 'failed']}
      </div>
    );
  }
  const status = meeting?.status ?? 'scheduled';
  const busy = connection === 'connecting' || connection === 'reconnecting';
  return (
    <div className={`banner connection-${connection} status-${status}`} role="status">
      <span className="banner-status">
        {status === 'live' ? 'Live' : status === 'scheduled' ? 'Not started yet: the host starts the meeting' : 'Ended'}
      </span>
      <span className="banner-connection">
        {busy && <span className="spinner" aria-hidden="true" />}
        {connectionText[connection]}
      </span>
    </div>
  );
}
