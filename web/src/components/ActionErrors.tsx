// Refused actions, said in words: a 403 with the server's reason, a 429 with the seconds left to wait. Network
// failures are not repeated here: the status banner already says the connection is down, and sends retry by
// themselves (their state shows on the message).
import { useState } from 'react';
import type { ActionError } from '../../../client/src/index.ts';
import { useActionErrors } from '../../../client/src/react.ts';
import { useSecondsLeft } from '../countdown.ts';

const actionWords: Record<string, string> = {
  'send-message': 'Sending',
  'edit-message': 'Editing',
  edit: 'Editing',
  'delete-message': 'Deleting',
  delete: 'Deleting',
  react: 'Reacting',
  presence: 'Changing that',
  'meeting-status': 'Changing the meeting status',
  'remove-participant': 'Removing',
  leave: 'Leaving',
  load_older: 'Loading older messages',
  join: 'Joining',
};

export function describeRefusal(error: Pick<ActionError, 'action' | 'status' | 'message'>): string {
  const what = actionWords[error.action] ?? 'That';
  if (error.status === 403) return `${what} was refused (403): ${error.message}.`;
  if (error.status === 429) return `${what} was refused (429): ${error.message}.`;
  if (error.status === 409) return `${what} is not possible now: ${error.message}.`;
  return `${what} failed (${error.status}): ${error.message}.`;
}

export function ActionErrors() {
  const errors = useActionErrors();
  const [dismissed, setDismissed] = useState(0);
  const latest = [...errors].reverse().find((e) => e.status !== 0 && e.at > dismissed);
  const waitUntil =
    latest?.status === 429 && latest.retryAfter !== undefined ? latest.at + latest.retryAfter * 1000 : null;
  const secondsLeft = useSecondsLeft(waitUntil);
  if (!latest) return null;
  return (
    <div className="action-error" role="alert">
      <p>
        {describeRefusal(latest)}
        {waitUntil !== null &&
          (secondsLeft > 0 ? ` You can try again in ${secondsLeft} s.` : ' You can try again now.')}
      </p>
      <button type="button" className="secondary" onClick={() => setDismissed(latest.at)}>
        Dismiss
      </button>
    </div>
  );
}
