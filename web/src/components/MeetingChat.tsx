// The chat: history with scroll-back (session.loadOlder(), keyset by seq), new messages as they arrive, my pending
// ones with their state, reactions with counts, editing and deleting, the typing indicator and the composer.
import {
  type FormEvent,
  type KeyboardEvent,
  memo,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import type { PendingMessage } from '../../../client/src/index.ts';
import { useMeetingSession, useMeetingState, useMessages, usePendingMessages } from '../../../client/src/react.ts';
import { type ChatMessage, LIMITS } from '../../../types/contract.ts';
import { useSecondsLeft } from '../countdown.ts';
import { useName } from '../names.tsx';
import { TypingIndicator } from './TypingIndicator.tsx';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '👀'] as const;

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function MeetingChat({ isHost }: { isHost: boolean }) {
  const session = useMeetingSession();
  const messages = useMessages();
  const pending = usePendingMessages();
  const hasOlder = useMeetingState((s) => s.hasOlder);
  const loadingOlder = useMeetingState((s) => s.loadingOlder);
  const closed = useMeetingState((s) => s.connection === 'closed');
  const userId = session.userId;
  const log = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ firstId?: string; height: number }>({ height: 0 });

  // Keep the view where the reader is: at the bottom it follows new messages; after loading older ones the
  // messages on screen stay put.
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const firstId = messages[0]?.id;
    const prepended =
      previous.current.firstId !== undefined &&
      firstId !== previous.current.firstId &&
      messages.some((m) => m.id === previous.current.firstId);
    if (prepended) el.scrollTop += el.scrollHeight - previous.current.height;
    else if (atBottom.current) el.scrollTop = el.scrollHeight;
    previous.current = { firstId, height: el.scrollHeight };
  }, [messages, pending]);

  const onScroll = useCallback(() => {
    const el = log.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }, []);

  return (
    <div className="chat">
      <div className="messages" ref={log} onScroll={onScroll} role="log" aria-label="Messages" tabIndex={0}>
        {hasOlder && (
          <div className="older">
            <button
              type="button"
              className="secondary"
              onClick={() => void session.loadOlder()}
              disabled={loadingOlder}
              aria-busy={loadingOlder}
            >
              {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          </div>
        )}
        {!hasOlder && messages.length > 0 && (
          <p className="start-of-history">The beginning of this meeting&apos;s chat.</p>
        )}
        {messages.length === 0 && pending.length === 0 && <p className="hint">No messages yet. Say hello!</p>}
        <ol className="message-list">
          {messages.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              mine={m.sender_id === userId}
              canDelete={!closed && (m.sender_id === userId || isHost)}
              canAct={!closed}
            />
          ))}
          {pending.map((p) => (
            <PendingItem key={p.client_id} pending={p} />
          ))}
        </ol>
      </div>
      <TypingIndicator />
      {!closed && <Composer />}
    </div>
  );
}

const MessageItem = memo(function MessageItem({
  message,
  mine,
  canDelete,
  canAct,
}: {
  message: ChatMessage;
  mine: boolean;
  canDelete: boolean;
  canAct: boolean;
}) {
  const session = useMeetingSession();
  const sender = useName(message.sender_id);
  const [editing, setEditing] = useState(false);
  const [picking, setPicking] = useState(false);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const deleted = message.deleted_at !== null;
  const reactions = Object.entries(message.reactions).filter(([, n]) => n > 0);

  const react = (emoji: string) => {
    setPicking(false);
    void session.react(message.id, emoji).catch(() => {}); // a refusal shows in ActionErrors
  };
  const remove = async () => {
    setBusy(true);
    await session.delete(message.id).catch(() => {});
    setBusy(false);
  };

  return (
    <li className={`message${mine ? ' mine' : ''}${deleted ? ' deleted' : ''}`} aria-labelledby={`${ids}-from`}>
      <div className="message-head">
        <span id={`${ids}-from`} className="sender">
          {mine ? `${sender} (you)` : sender}
        </span>
        <time dateTime={message.created_at}>{time(message.created_at)}</time>
        {message.edited_at && !deleted && <span className="edited">(edited)</span>}
      </div>
      {deleted ? (
        <p className="content">This message was deleted.</p>
      ) : editing ? (
        <EditForm message={message} onDone={() => setEditing(false)} />
      ) : (
        <p className="content">{message.content}</p>
      )}
      {!deleted && (reactions.length > 0 || canAct) && (
        <div className="message-foot">
          <div className="reactions">
            {reactions.map(([emoji, count]) => (
              <button
                key={emoji}
                type="button"
                className="reaction"
                disabled={!canAct}
                onClick={() => react(emoji)}
                aria-label={`${emoji} ${count}`}
                title={`Toggle your ${emoji} reaction`}
              >
                <span aria-hidden="true">{emoji}</span> {count}
              </button>
            ))}
            {canAct && (
              <button
                type="button"
                className="icon"
                aria-expanded={picking}
                aria-controls={`${ids}-picker`}
                onClick={() => setPicking((p) => !p)}
                aria-label="Add reaction"
                title="Add reaction"
              >
                <span aria-hidden="true">☺+</span>
              </button>
            )}
            {picking && (
              <div
                id={`${ids}-picker`}
                role="group"
                aria-label="Pick a reaction"
                className="picker"
                onKeyDown={(e) => {
                  if (e.key === 'Escape') setPicking(false);
                }}
              >
                {QUICK_REACTIONS.map((emoji) => (
                  <button
                    key={emoji}
                    type="button"
                    className="icon"
                    onClick={() => react(emoji)}
                    aria-label={`React with ${emoji}`}
                  >
                    {emoji}
                  </button>
                ))}
              </div>
            )}
          </div>
          {!editing && (mine || canDelete) && canAct && (
            <div className="message-actions">
              {mine && (
                <button type="button" className="link" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
              {canDelete && (
                <button
                  type="button"
                  className="link danger"
                  onClick={() => void remove()}
                  disabled={busy}
                  aria-busy={busy}
                >
                  {busy ? 'Deleting…' : 'Delete'}
                </button>
              )}
            </div>
          )}
        </div>
      )}
    </li>
  );
});

function EditForm({ message, onDone }: { message: ChatMessage; onDone(): void }) {
  const session = useMeetingSession();
  const [text, setText] = useState(message.content ?? '');
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const content = text.trim();
    if (!content || content === message.content) return onDone();
    setBusy(true);
    try {
      await session.edit(message.id, content);
      onDone();
    } catch {
      setBusy(false); // the refusal shows in ActionErrors; the text stays for another try
    }
  };
  return (
    <form className="edit-form" onSubmit={(e) => void save(e)}>
      <label htmlFor={`${ids}-edit`} className="visually-hidden">
        Edit message
      </label>
      <input
        id={`${ids}-edit`}
        ref={input}
        value={text}
        maxLength={LIMITS.message_max_length}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>
      <button type="button" className="secondary" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

function PendingItem({ pending }: { pending: PendingMessage }) {
  const session = useMeetingSession();
  const me = useName(session.userId);
  const waitUntil =
    pending.status === 'waiting' && pending.error?.retryAfter !== undefined
      ? pending.error.at + pending.error.retryAfter * 1000
      : null;
  const secondsLeft = useSecondsLeft(waitUntil);
  return (
    <li className={`message mine pending status-${pending.status}`} aria-busy={pending.status !== 'failed'}>
      <div className="message-head">
        <span className="sender">{me} (you)</span>
        <span className="pending-state" role={pending.status === 'failed' ? 'alert' : undefined}>
          {pending.status === 'sending' && 'Sending…'}
          {pending.status === 'waiting' && `Too many messages (429): sending again in ${secondsLeft} s`}
          {pending.status === 'failed' &&
            `Not sent${pending.error ? ` (${pending.error.status || 'offline'}): ${pending.error.message}` : ''}`}
        </span>
      </div>
      <p className="content">{pending.content}</p>
      {pending.status === 'failed' && (
        <div className="message-actions">
          <button type="button" className="link" onClick={() => void session.retry(pending.client_id).catch(() => {})}>
            Retry
          </button>
          <button type="button" className="link" onClick={() => session.discard(pending.client_id)}>
            Discard
          </button>
        </div>
      )}
    </li>
  );
}

function Composer() {
  const session = useMeetingSession();
  const [text, setText] = useState('');
  const ids = useId();

  const send = (e?: { preventDefault(): void }) => {
    e?.preventDefault();
    const content = text.trim();
    if (!content) return;
    setText('');
    session.setTyping(false);
    void session.send(content).catch(() => {}); // its state (waiting, failed) shows on the pending message
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) send(e);
  };
  return (
    <form className="composer" onSubmit={send}>
      <label htmlFor={`${ids}-text`} className="visually-hidden">
        Message
      </label>
      <textarea
        id={`${ids}-text`}
        rows={2}
        value={text}
        maxLength={LIMITS.message_max_length}
        placeholder="Write a message…"
        aria-describedby={`${ids}-hint`}
        onChange={(e) => {
          setText(e.target.value);
          session.setTyping(e.target.value.trim().length > 0);
        }}
        onBlur={() => {
          if (!text.trim()) session.setTyping(false);
        }}
        onKeyDown={onKeyDown}
      />
      <span id={`${ids}-hint`} className="visually-hidden">
        Enter sends; Shift+Enter starts a new line.
      </span>
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
    </form>
  );
}
