// A shared board where everyone sees the others' pointers live (session.moveCursor with 0..1 coordinates, sent at
// most 20 times a second by the client). Keyboard users move their cursor with the arrow keys.
import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import { useCursors, useMeetingSession } from '../../../client/src/react.ts';
import { useNames } from '../names.tsx';

const clamp = (v: number) => Math.min(1, Math.max(0, v));

export function CursorArea() {
  const session = useMeetingSession();
  const cursors = useCursors();
  const names = useNames();
  const mine = useRef({ x: 0.5, y: 0.5 });
  const others = Object.entries(cursors);

  const move = (x: number, y: number) => {
    mine.current = { x: clamp(x), y: clamp(y) };
    session.moveCursor(mine.current.x, mine.current.y);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) move((e.clientX - box.left) / box.width, (e.clientY - box.top) / box.height);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 0.1 : 0.02;
    const delta = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (!delta) return;
    e.preventDefault();
    move(mine.current.x + delta[0], mine.current.y + delta[1]);
  };
  return (
    <>
      <div
        className="board"
        role="application"
        aria-roledescription="shared board"
        tabIndex={0}
        onPointerMove={onPointerMove}
        onKeyDown={onKeyDown}
        aria-label="Shared board: move the pointer, or use the arrow keys, to show the others where you point"
        aria-describedby="board-who"
      >
        {others.map(([id, c]) => (
          <div
            key={id}
            className="cursor"
            style={{ left: `${c.x * 100}%`, top: `${c.y * 100}%` }}
            role="img"
            aria-label={`${names.get(id) ?? 'Someone'}'s cursor`}
          >
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
              <path d="M1 1 L15 7 L8 9 L6 15 Z" />
            </svg>
            <span className="cursor-name" aria-hidden="true">
              {names.get(id) ?? 'Someone'}
            </span>
          </div>
        ))}
      </div>
      <p id="board-who" className="hint">
        {others.length === 0
          ? 'Nobody else is pointing at the board.'
          : `Pointing now: ${others.map(([id]) => names.get(id) ?? 'Someone').join(', ')}.`}
      </p>
    </>
  );
}
