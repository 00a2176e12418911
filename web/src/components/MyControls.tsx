// My own microphone, camera, screen share and hand: toggle buttons (aria-pressed) that change my participant state
// through the presence function; every participant sees the change.
import { useState } from 'react';
import type { ParticipantState } from '../../../types/contract.ts';
import { useMeetingSession, useMeetingState, useParticipants } from '../../../client/src/react.ts';

type Toggle = { key: 'is_muted' | 'is_video_on' | 'is_screen_sharing' | 'is_hand_raised'; label: string; icon: string };
const toggles: Toggle[] = [
  { key: 'is_muted', label: 'Mute', icon: '🔇' },
  { key: 'is_video_on', label: 'Camera', icon: '📷' },
  { key: 'is_screen_sharing', label: 'Share screen', icon: '🖥️' },
  { key: 'is_hand_raised', label: 'Raise hand', icon: '✋' },
];

export function MyControls() {
  const session = useMeetingSession();
  const me = useParticipants().find((p) => p.user_id === session.userId);
  const closed = useMeetingState((s) => s.connection === 'closed');
  const [busy, setBusy] = useState<Toggle['key'] | null>(null);
  if (!me || closed) return null;
  const flip = (key: Toggle['key']) => {
    setBusy(key);
    const state: ParticipantState = { [key]: !me[key] };
    void session
      .setState(state)
      .catch(() => {})
      .finally(() => setBusy(null));
  };
  return (
    <section className="my-controls" aria-labelledby="my-controls-heading">
      <h2 id="my-controls-heading">You</h2>
      <div role="group" aria-label="Your controls" className="toggles">
        {toggles.map((t) => (
          <button
            key={t.key}
            type="button"
            className="toggle"
            aria-pressed={me[t.key]}
            aria-busy={busy === t.key}
            disabled={busy === t.key}
            onClick={() => flip(t.key)}
          >
            <span aria-hidden="true">{t.icon}</span> {t.label}
          </button>
        ))}
      </div>
    </section>
  );
}
