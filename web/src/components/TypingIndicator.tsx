// Who else is typing, announced politely; the region stays mounted so changes are heard.
import { useTyping } from '../../../client/src/react.ts';
import { useNames } from '../names.tsx';

export function typingSentence(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export function TypingIndicator() {
  const typing = useTyping();
  const names = useNames();
  return (
    <p className="typing" aria-live="polite" aria-atomic="true">
      {typingSentence(typing.map((id) => names.get(id) ?? 'Someone'))}
    </p>
  );
}
