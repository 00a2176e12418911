// Seconds left until `until` (ms since the epoch), re-rendering once a second while any remain.
import { useEffect, useState } from 'react';

export function useSecondsLeft(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  const left = until === null ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.min(1000, until! - Date.now()));
    return () => clearTimeout(timer);
  }, [left, until, now]);
  return left;
}
