// The meetings of my organization (live, see meetings.ts), a form to create one, and a way into each.
import { type FormEvent, useId, useState } from 'react';
import type { MeetingSupabase } from '../../../client/src/index.ts';
import type { MeetingRow } from '../../../types/contract.ts';
import type { Profile } from '../auth.ts';
import type { MeetingsState } from '../meetings.ts';

const statusLabel: Record<MeetingRow['status'], string> = { scheduled: 'Scheduled', live: 'Live', ended: 'Ended' };

interface Props {
  supabase: MeetingSupabase;
  profile: Profile | null;
  userId: string;
  state: MeetingsState & { add(row: MeetingRow): void };
  onOpen(meetingId: string): void;
}

export function MeetingList({ supabase, profile, userId, state, onOpen }: Props) {
  const ids = useId();
  const orgName = profile?.organizationName ?? 'your organization';
  if (!profile?.organizationId) {
    return (
      <section className="notice" aria-labelledby={`${ids}-none`}>
        <h1 id={`${ids}-none`}>No organization yet</h1>
        <p>
          Your account is not a member of an organization, so there are no meetings to show. An organization admin adds
          members; the demo users on the sign-in page belong to Acme and Globex.
        </p>
      </section>
    );
  }
  return (
    <div className="meetings">
      <h1 id={`${ids}-heading`}>Meetings of {orgName}</h1>
      <CreateMeeting
        supabase={supabase}
        organizationId={profile.organizationId}
        userId={userId}
        onCreated={state.add}
      />
      <section aria-labelledby={`${ids}-list`}>
        <h2 id={`${ids}-list`}>
          All meetings{' '}
          <span className={`live-dot ${state.live ? 'on' : ''}`}>{state.live ? 'updating live' : 'connecting…'}</span>
        </h2>
        {state.status === 'loading' && <p role="status">Loading meetings…</p>}
        {state.status === 'error' && (
          <p role="alert" className="error">
            The meetings could not be read: {state.error}
          </p>
        )}
        {state.status === 'ready' && state.meetings.length === 0 && <p>No meetings yet: create the first one above.</p>}
        {state.meetings.length > 0 && (
          <ul className="meeting-list" aria-label="Meetings">
            {state.meetings.map((m) => (
              <li key={m.id} className="meeting-item">
                <div>
                  <h3 className="meeting-title">{m.title}</h3>
                  <p className="meeting-meta">
                    <span className={`badge status-${m.status}`}>{statusLabel[m.status]}</span>
                    {m.host_id === userId && <span className="badge">You host</span>}
                    {m.access === 'invite_only' && <span className="badge">Invite only</span>}
                  </p>
                </div>
                {m.status === 'ended' ? (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => onOpen(m.id)}
                    aria-label={`View ${m.title}`}
                  >
                    View
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() => {
                      performance.mark('meeting-room:open');
                      onOpen(m.id);
                    }}
                    aria-label={`Join ${m.title}`}
                  >
                    Join
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <p className="visually-hidden" aria-live="polite">
        {state.announcement ?? ''}
      </p>
    </div>
  );
}

function CreateMeeting({
  supabase,
  organizationId,
  userId,
  onCreated,
}: {
  supabase: MeetingSupabase;
  organizationId: string;
  userId: string;
  onCreated(row: MeetingRow): void;
}) {
  const ids = useId();
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) return;
    setBusy(true);
    setResult(null);
    const { data, error } = await supabase
      .from('meetings')
      .insert({ title: trimmed, host_id: userId, organization_id: organizationId, status: 'scheduled' })
      .select('*')
      .single();
    setBusy(false);
    if (error || !data) {
      setResult({ ok: false, text: `The meeting was not created: ${error?.message ?? 'no answer'}` });
      return;
    }
    onCreated(data as MeetingRow);
    setTitle('');
    setResult({ ok: true, text: `Created “${trimmed}”. Join it to start it.` });
  };

  return (
    <form className="card create-meeting" onSubmit={(e) => void submit(e)} aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>New meeting</h2>
      <div className="row">
        <div className="field grow">
          <label htmlFor={`${ids}-title`}>Title</label>
          <input
            id={`${ids}-title`}
            value={title}
            maxLength={200}
            required
            onChange={(e) => setTitle(e.target.value)}
          />
        </div>
        <button type="submit" disabled={busy || !title.trim()} aria-busy={busy}>
          {busy ? 'Creating…' : 'Create meeting'}
        </button>
      </div>
      <p role="status" className={result?.ok === false ? 'error' : 'hint'}>
        {result?.text ?? ''}
      </p>
    </form>
  );
}
