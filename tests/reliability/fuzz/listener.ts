// The legitimate member who listens through the whole fuzz run: Carol, signed in with supabase-js as the meeting
// client signs in, on her meeting's private channels and her own notices. Nobody with a right to speak there acts
// during the run, so anything she hears before the closing control broadcast came from a fuzz request.
import WebSocket from 'ws';
import { demoKeys } from '../../../stack/config.ts';
import { ChannelProbe } from '../../../stack/testing/channels.ts';
import { testClient } from '../../../stack/testing/clients.ts';
import { seedPassword, seedUsers, type SeedUser } from '../../../stack/testing/seed.ts';
import type { TestStack } from '../../../stack/testing/stack.ts';
import { meetingEphemeralTopic, meetingTopic, userTopic } from '../../../types/contract.ts';

/** The event of the closing control broadcast (sent with the service role, so it must arrive). */
export const CONTROL_EVENT = 'fuzz_control';

export interface Listener {
  topics: string[];
  /** What arrived other than the control broadcast: `<topic> <kind> <event>`. */
  heard(): string[];
  /** Sends the control broadcast to every topic through Realtime's REST API; resolves when all arrived or not. */
  control(): Promise<string[]>;
  close(): Promise<void>;
}

/** Password sign-in over plain HTTP (stack.signIn's client needs Node's flagged built-in WebSocket). */
async function signIn(stack: TestStack, user: SeedUser): Promise<{ userId: string; accessToken: string }> {
  const res = await fetch(`${stack.url}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { apikey: demoKeys.anonKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: seedUsers[user].email, password: seedPassword }),
  });
  const session = (await res.json()) as { access_token?: string; user?: { id: string } };
  if (!res.ok || !session.access_token || !session.user) throw new Error(`sign-in of ${user}: ${res.status}`);
  return { userId: session.user.id, accessToken: session.access_token };
}

export async function listen(stack: TestStack, meetingId: string): Promise<Listener> {
  const { userId, accessToken } = await signIn(stack, 'carol');
  // The ws transport: Node 20's built-in WebSocket needs a flag, and the lead's runner may not pass it.
  const client = testClient(stack.url, { token: () => accessToken, realtime: { transport: WebSocket as never } });
  await client.realtime.setAuth();
  const topics = [meetingTopic(meetingId), meetingEphemeralTopic(meetingId), userTopic(userId)];
  const heard: string[] = [];
  const probes: ChannelProbe[] = [];
  for (const topic of topics) {
    const channel = client.channel(topic, { config: { private: true } });
    const probe = new ChannelProbe(channel);
    channel.on('presence', { event: 'join' }, ({ key }) => heard.push(`${topic} presence join ${key}`));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`carol could not join ${topic} in time`)), 10_000);
      channel.subscribe((status, err) => {
        if (status === 'SUBSCRIBED') resolve(clearTimeout(timer));
        else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(err ?? new Error(`${topic}: ${status}`));
      });
    });
    probes.push(probe);
  }
  return {
    topics,
    heard: () => [
      ...heard,
      ...probes.flatMap((p) =>
        p.received.filter((r) => r.event !== CONTROL_EVENT).map((r) => `${p.channel.topic} broadcast ${r.event}`),
      ),
    ],
    async control() {
      const res = await fetch(`${stack.url}/realtime/v1/api/broadcast`, {
        method: 'POST',
        headers: { apikey: demoKeys.serviceRoleKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          messages: topics.map((topic) => ({ topic, event: CONTROL_EVENT, payload: {}, private: true })),
        }),
      });
      if (!res.ok) return [`the control broadcast was refused: ${res.status}`];
      const missed = await Promise.all(
        probes.map((p) =>
          p.next(CONTROL_EVENT).then(
            () => undefined,
            () => `the listener did not hear the control broadcast on ${p.channel.topic}: it was deaf all along`,
          ),
        ),
      );
      return missed.filter((m): m is string => m !== undefined);
    },
    close: async () => void (await client.removeAllChannels()),
  };
}
