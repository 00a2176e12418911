// The client's merge rule alone: any arrival order and any duplicates end in the same state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, ParticipantRow } from '../types/contract.ts';
import { MeetingStore } from './src/state.ts';

const me = 'u-me';
const message = (seq: number, over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`,
  seq,
  meeting_id: 'mt',
  sender_id: 'u-other',
  client_id: `c${seq}`,
  content: `message ${seq}`,
  type: 'text',
  created_at: '2026-01-01T00:00:00Z',
  edited_at: null,
  deleted_at: null,
  version: 1,
  reactions: {},
  reactions_version: 0,
  ...over,
});
const participant = (user_id: string, version: number, over: Partial<ParticipantRow> = {}): ParticipantRow => ({
  id: `p-${user_id}`,
  meeting_id: 'mt',
  user_id,
  role: 'participant',
  joined_at: '2026-01-01T00:00:00Z',
  left_at: null,
  removed_at: null,
  removed_by: null,
  is_muted: false,
  is_video_on: true,
  is_screen_sharing: false,
  is_hand_raised: false,
  status: 'active',
  version,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('MeetingStore: the highest version wins, whatever the order', () => {
  it('messages are deduplicated by id and ordered by seq', () => {
    const store = new MeetingStore('mt', me);
    store.update((s) => s.mergeMessages([message(3), message(1), message(2), message(3), message(1)]));
    assert.deepEqual(
      store.getState().messages.map((m) => m.seq),
      [1, 2, 3],
    );
  });

  it('edits, deletes and reaction counts in every order end in the newest state', () => {
    const events: ((s: MeetingStore) => void)[] = [
      (s) => s.mergeMessage(message(1)),
      (s) => s.mergeMessage(message(1, { content: 'edited', version: 2, edited_at: 'x' })),
      (s) => s.applyDeleted({ message_id: 'm1', meeting_id: 'mt', deleted_at: 'y', version: 3 }),
      (s) => s.applyReaction({ message_id: 'm1', counts: { '👍': 1 }, version: 1 }),
      (s) => s.applyReaction({ message_id: 'm1', counts: { '👍': 2 }, version: 2 }),
      (s) => s.applyReaction({ message_id: 'm1', counts: { '👍': 1, '🎉': 1 }, version: 3 }),
    ];
    for (let seed = 1; seed <= 200; seed++) {
      const store = new MeetingStore('mt', me);
      for (const apply of shuffled(events, seed)) store.update(apply);
      const [m] = store.getState().messages;
      assert.deepEqual(
        [m.content, m.deleted_at, m.version, m.reactions, m.reactions_version],
        [null, 'y', 3, { '👍': 1, '🎉': 1 }, 3],
        `order ${seed}`,
      );
    }
  });

  it('participants merge by version; one who left is not present, and their typing and cursor go with them', () => {
    const store = new MeetingStore('mt', me);
    store.update((s) => {
      s.mergeParticipant(participant('a', 3, { left_at: 'z' }));
      s.mergeParticipant(participant('a', 2, { is_hand_raised: true }));
      s.mergeParticipant(participant('b', 1));
      s.setTyping('b', true, Date.now() + 1000);
    });
    assert.deepEqual(
      store.getState().participants.map((p) => p.user_id),
      ['b'],
    );
    assert.deepEqual(store.getState().typing, ['b']);
    store.update((s) => s.setTyping('a', true, Date.now() + 1000));
    assert.deepEqual(store.getState().typing, ['b'], 'a claim from someone who is not present is not shown');
    store.update((s) => s.expireTyping(Date.now() + 2000));
    assert.deepEqual(store.getState().typing, [], 'typing expires without a heartbeat');
  });

  it('a name arrives with the participant list even when an event row (without names) was newer', () => {
    const store = new MeetingStore('mt', me);
    store.update((s) => s.mergeParticipant(participant('b', 2)));
    store.update((s) => s.mergeParticipant({ ...participant('b', 1), full_name: 'Bob', avatar_url: null }));
    assert.equal(store.getState().participants[0].full_name, 'Bob');
    assert.equal(store.getState().participants[0].version, 2, 'the state stays the newest');
  });

  it('my pending message leaves the pending list when the stored copy arrives, whichever way', () => {
    const store = new MeetingStore('mt', me);
    store.update((s) => s.addPending({ client_id: 'c9', content: 'hi', created_at: 'now', status: 'sending' }));
    store.update((s) => s.mergeMessage(message(9, { sender_id: me, client_id: 'c9' })));
    assert.deepEqual(store.getState().pending, []);
    assert.equal(store.getState().messages.length, 1);
  });

  it('a slice keeps its identity when another slice changes (useSyncExternalStore re-renders only what changed)', () => {
    const store = new MeetingStore('mt', me);
    store.update((s) => {
      s.mergeMessage(message(1));
      s.mergeParticipant(participant('b', 1));
    });
    const messages = store.getState().messages;
    store.update((s) => s.setTyping('b', true, Date.now() + 1000));
    assert.equal(store.getState().messages, messages);
    const before = store.getState();
    store.update(() => {});
    assert.equal(store.getState(), before, 'no change, no new snapshot');
  });
});
