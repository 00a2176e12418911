// The meeting room app: sign in, the meetings of my organization, one meeting. One supabase-js client per tab
// (createMeetingClient); the meetings list stays subscribed while signed in, so coming back to it is instant and the
// Realtime socket is already open when a meeting is joined.
import { type ReactNode, useEffect, useRef } from 'react';
import type { MeetingSupabase } from '../../client/src/index.ts';
import { useAuth } from './auth.ts';
import { MeetingList } from './components/MeetingList.tsx';
import { MeetingRoom } from './components/MeetingRoom.tsx';
import { SignIn } from './components/SignIn.tsx';
import { useOrgMeetings } from './meetings.ts';
import { useRoute } from './route.ts';

export function App({ supabase }: { supabase: MeetingSupabase }) {
  const auth = useAuth(supabase);
  if (auth.status === 'loading')
    return (
      <p className="boot" role="status">
        Checking your session…
      </p>
    );
  if (auth.status === 'signed_out')
    return (
      <Shell>
        <SignIn supabase={supabase} />
      </Shell>
    );
  if (auth.profile === undefined)
    return (
      <p className="boot" role="status">
        Loading your profile…
      </p>
    );
  return <SignedIn supabase={supabase} auth={auth} />;
}

type SignedInAuth = Extract<ReturnType<typeof useAuth>, { status: 'signed_in' }>;

function SignedIn({ supabase, auth }: { supabase: MeetingSupabase; auth: SignedInAuth }) {
  const profile = auth.profile ?? null;
  const meetings = useOrgMeetings(supabase, profile?.organizationId ?? null);
  const [route, navigate] = useRoute();
  const name = profile?.fullName ?? auth.user.email ?? 'you';

  const header = (
    <header className="app-header">
      <a className="brand" href="#/">
        Meeting room
      </a>
      <div className="who">
        <span>
          Signed in as <strong>{name}</strong>
          {profile?.organizationName ? ` · ${profile.organizationName}` : ''}
        </span>
        <button type="button" className="secondary" onClick={() => void supabase.auth.signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );

  let page;
  if (route.page === 'meeting') {
    const meeting = meetings.meetings.find((m) => m.id === route.meetingId);
    if (meetings.status === 'loading') {
      page = (
        <p role="status" className="boot">
          Loading meetings…
        </p>
      );
    } else if (!meeting) {
      // Not in my list: RLS hides it (another organization, or not invited). Nothing to try joining.
      page = (
        <section className="notice" aria-labelledby="unavailable-heading">
          <h1 id="unavailable-heading">Meeting not available</h1>
          <p role="alert">This meeting does not exist or you are not allowed to see it.</p>
          <p>
            <a href="#/">Back to meetings</a>
          </p>
        </section>
      );
    } else {
      page = (
        <MeetingRoom
          key={meeting.id}
          supabase={supabase}
          meeting={meeting}
          userId={auth.user.id}
          onExit={() => navigate({ page: 'meetings' })}
        />
      );
    }
  } else {
    page = (
      <MeetingList
        supabase={supabase}
        profile={profile}
        userId={auth.user.id}
        state={meetings}
        onOpen={(id) => navigate({ page: 'meeting', meetingId: id })}
      />
    );
  }
  return <Shell header={header}>{page}</Shell>;
}

function Shell({ header, children }: { header?: ReactNode; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  // A new page moves focus to its content, so keyboard and screen-reader users start there.
  const path = typeof window !== 'undefined' ? window.location.hash : '';
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      {header}
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
