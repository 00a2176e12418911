// Who is in the meeting: role, whether Presence sees them online, microphone, camera, screen share and hand; a host
// or cohost also gets mute / lower hand / remove for the others (the database decides; a refusal shows in
// ActionErrors).
import { useState } from 'react';
import type { Participant } from '../../../client/src/index.ts';
import { useMeetingRow, useMeetingSession, useMeetingState, useParticipants } from '../../../client/src/react.ts';
import { useName } from '../names.tsx';

export function ParticipantList() {
  const session = useMeetingSession();
  const participants = useParticipants();
  const meeting = useMeetingRow();
  const closed = useMeetingState((s) => s.connection === 'closed');
  const me = participants.find((p) => p.user_id === session.userId);
  const moderator = !closed && (meeting?.host_id === session.userId || me?.role === 'cohost');
  const online = participants.filter((p) => p.online).length;
  return (
    <section className="participants" aria-labelledby="participants-heading">
      <h2 id="participants-heading">
        Participants{' '}
        <span className="count">
          ({participants.length}, {online} online)
        </span>
      </h2>
      <ul aria-label="Participants">
        {participants.map((p) => (
          <ParticipantItem
            key={p.user_id}
            participant={p}
            isMe={p.user_id === session.userId}
            moderator={moderator}
            myRole={meeting?.host_id === session.userId ? 'host' : (me?.role ?? 'participant')}
          />
        ))}
      </ul>
    </section>
  );
}

function ParticipantItem({
  participant: p,
  isMe,
  moderator,
  myRole,
}: {
  participant: Participant;
  isMe: boolean;
  moderator: boolean;
  myRole: Participant['role'];
}) {
  const session = useMeetingSession();
  const [busy, setBusy] = useState<string | null>(null);
  const name = useName(p.user_id);
  const run = (what: string, action: () => Promise<unknown>) => {
    setBusy(what);
    void action()
      .catch(() => {})
      .finally(() => setBusy(null));
  };
  // Who may remove whom: docs/authorization.md (not the host; a cohost not another cohost).
  const mayRemove = moderator && !isMe && p.role !== 'host' && (myRole === 'host' || p.role !== 'cohost');
  return (
    <li className={`participant${p.online ? ' online' : ''}`}>
      <div className="participant-line">
        <span className={`presence-dot${p.online ? ' on' : ''}`} aria-hidden="true" />
        <span className="participant-name">
          {name}
          {isMe ? ' (you)' : ''}
        </span>
        {p.role !== 'participant' && <span className="badge">{p.role === 'host' ? 'Host' : 'Cohost'}</span>}
      </div>
      <ul className="states" aria-label={`${name}: state`}>
        <li>{p.online ? 'Online' : 'Not connected'}</li>
        <li>{p.is_muted ? '🔇 Muted' : '🎙️ Mic on'}</li>
        <li>{p.is_video_on ? '📷 Camera on' : 'Camera off'}</li>
        {p.is_screen_sharing && <li>🖥️ Sharing screen</li>}
        {p.is_hand_raised && <li className="hand">✋ Hand raised</li>}
      </ul>
      {moderator && !isMe && (
        <div className="moderation" role="group" aria-label={`Moderate ${name}`}>
          {!p.is_muted && (
            <button
              type="button"
              className="link"
              disabled={busy !== null}
              aria-busy={busy === 'mute'}
              onClick={() => run('mute', () => session.mute(p.user_id))}
            >
              Mute {name}
            </button>
          )}
          {p.is_hand_raised && (
            <button
              type="button"
              className="link"
              disabled={busy !== null}
              aria-busy={busy === 'hand'}
              onClick={() => run('hand', () => session.lowerHand(p.user_id))}
            >
              Lower {name}&apos;s hand
            </button>
          )}
          {mayRemove && (
            <button
              type="button"
              className="link danger"
              disabled={busy !== null}
              aria-busy={busy === 'remove'}
              onClick={() => run('remove', () => session.remove(p.user_id))}
            >
              {busy === 'remove' ? `Removing ${name}…` : `Remove ${name}`}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
