// The meeting room's entry: read /config.json (the API URL and anon key of the stack that serves the page, see
// stack/web), create the one meeting client of this tab, and render the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMeetingClient } from '../../client/src/index.ts';
import type { PageConfig } from '../../stack/web/server.ts';
import { App } from './App.tsx';

const root = createRoot(document.getElementById('root')!);

async function boot(): Promise<void> {
  root.render(
    <p className="boot" role="status">
      Loading the meeting room…
    </p>,
  );
  let config: PageConfig;
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
    config = (await res.json()) as PageConfig;
  } catch (err) {
    root.render(
      <p className="boot" role="alert">
        The meeting room could not read its configuration ({(err as Error).message}). Is <code>npm start</code> running?
      </p>,
    );
    return;
  }
  const supabase = createMeetingClient(config.apiUrl, config.anonKey);
  root.render(
    <StrictMode>
      <App supabase={supabase} />
    </StrictMode>,
  );
}

void boot();
