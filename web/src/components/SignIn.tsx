// Sign in with a password (the seeded demo users are one click away) or create an account.
import { type FormEvent, useId, useState } from 'react';
import type { MeetingSupabase } from '../../../client/src/index.ts';

/** The seed's users (supabase/seed.sql); every one signs in with DEMO_PASSWORD. */
export const DEMO_USERS = [
  { name: 'Alice Admin', email: 'alice@acme.test', org: 'Acme' },
  { name: 'Bob Builder', email: 'bob@acme.test', org: 'Acme' },
  { name: 'Carol Chen', email: 'carol@acme.test', org: 'Acme' },
  { name: 'Dave Doe', email: 'dave@globex.test', org: 'Globex' },
] as const;
export const DEMO_PASSWORD = 'password123';

export function SignIn({ supabase }: { supabase: MeetingSupabase }) {
  const [mode, setMode] = useState<'sign_in' | 'sign_up'>('sign_in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fullName, setFullName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();

  const signIn = async (withEmail: string, withPassword: string, who: string) => {
    setBusy(who);
    setError(null);
    const { error: failed } = await supabase.auth.signInWithPassword({ email: withEmail, password: withPassword });
    // On success the auth event replaces this page; only a refusal comes back here.
    if (failed) {
      setError(failed.message);
      setBusy(null);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'sign_in') return signIn(email, password, 'form');
    setBusy('form');
    setError(null);
    const { data, error: failed } = await supabase.auth.signUp({
      email,
      password,
      options: { data: { full_name: fullName.trim() || null } },
    });
    if (failed) setError(failed.message);
    else if (!data.session) setError('Your account was created; confirm your email address, then sign in.');
    if (failed || !data.session) setBusy(null);
  };

  const signingUp = mode === 'sign_up';
  return (
    <div className="sign-in">
      <h1>{signingUp ? 'Create an account' : 'Sign in to the meeting room'}</h1>
      {!signingUp && (
        <section aria-labelledby={`${ids}-demo`} className="card">
          <h2 id={`${ids}-demo`}>Demo users</h2>
          <p className="hint">
            Seeded users; each one&apos;s password is <code>{DEMO_PASSWORD}</code>.
          </p>
          <ul className="quick-picks">
            {DEMO_USERS.map((u) => (
              <li key={u.email}>
                <button
                  type="button"
                  disabled={busy !== null}
                  aria-busy={busy === u.email}
                  onClick={() => void signIn(u.email, DEMO_PASSWORD, u.email)}
                >
                  {busy === u.email ? `Signing in as ${u.name}…` : `Sign in as ${u.name}`}
                  <span className="sub">
                    {u.email} · {u.org}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby={`${ids}-form`}>
        <h2 id={`${ids}-form`}>{signingUp ? 'Your details' : 'With your email'}</h2>
        {signingUp && (
          <div className="field">
            <label htmlFor={`${ids}-name`}>Full name</label>
            <input
              id={`${ids}-name`}
              autoComplete="name"
              value={fullName}
              onChange={(e) => setFullName(e.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-email`}>Email</label>
          <input
            id={`${ids}-email`}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-password`}>Password</label>
          <input
            id={`${ids}-password`}
            type="password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            required
            minLength={signingUp ? 6 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy !== null} aria-busy={busy === 'form'}>
            {busy === 'form'
              ? signingUp
                ? 'Creating your account…'
                : 'Signing in…'
              : signingUp
                ? 'Sign up'
                : 'Sign in'}
          </button>
          <button
            type="button"
            className="link"
            onClick={() => {
              setMode(signingUp ? 'sign_in' : 'sign_up');
              setError(null);
            }}
          >
            {signingUp ? 'I have an account: sign in' : 'Create an account'}
          </button>
        </div>
      </form>
    </div>
  );
}
