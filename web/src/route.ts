// Where the page is: the meetings list (`#/`) or one meeting (`#/meetings/<id>`). A hash route needs no server
// support, so the static build works from any server, and a meeting link can be shared and reloaded.
import { useCallback, useSyncExternalStore } from 'react';

export type Route = { page: 'meetings' } | { page: 'meeting'; meetingId: string };

function parse(hash: string): Route {
  const match = /^#\/meetings\/([0-9a-f-]{36})$/i.exec(hash);
  return match ? { page: 'meeting', meetingId: match[1].toLowerCase() } : { page: 'meetings' };
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => '',
  );
  const navigate = useCallback((route: Route) => {
    window.location.hash = route.page === 'meeting' ? `#/meetings/${route.meetingId}` : '#/';
  }, []);
  return [parse(hash), navigate];
}
