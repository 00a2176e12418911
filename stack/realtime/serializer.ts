// Phoenix wire formats the official client speaks: V1 JSON objects, V2 five-element arrays, and the two binary
// kinds realtime-js knows (3 = user broadcast push from the client, 4 = user broadcast to the client). Frames are
// built once per message and shared by every recipient, so nothing here allocates per delivery.

export type Vsn = 1 | 2;

export interface InMessage {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
}

/** A broadcast decoded from a kind-3 frame: the user payload stays as raw bytes (JSON text or binary). */
export interface BinaryPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  userEvent: string;
  metadata: Record<string, unknown> | null;
  encoding: 0 | 1;
  payload: Buffer;
}

export const JSON_ENCODING = 1;

/** Parses a text frame; returns null for anything the real server would log as MalformedWebSocketMessage. */
export function decodeText(text: string, vsn: Vsn): InMessage | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (vsn === 2) {
    // The server tolerates extra trailing elements; fewer than five is malformed.
    if (!Array.isArray(data) || data.length < 5) return null;
    const [joinRef, ref, topic, event, payload] = data;
    if (typeof topic !== 'string' || typeof event !== 'string') return null;
    return { joinRef: refOrNull(joinRef), ref: refOrNull(ref), topic, event, payload };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  if (typeof m.topic !== 'string' || typeof m.event !== 'string') return null;
  return { joinRef: refOrNull(m.join_ref), ref: refOrNull(m.ref), topic: m.topic, event: m.event, payload: m.payload };
}

function refOrNull(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}

/** Decodes a kind-3 frame; null when the frame is not kind 3 or its lengths do not add up. */
export function decodeBinary(buf: Buffer): BinaryPush | null {
  if (buf.length < 7 || buf[0] !== 3) return null;
  const lens = [buf[1], buf[2], buf[3], buf[4], buf[5]];
  const encoding = buf[6];
  if (encoding !== 0 && encoding !== 1) return null;
  let offset = 7;
  const parts: string[] = [];
  for (const len of lens) {
    if (offset + len > buf.length) return null;
    parts.push(buf.toString('utf8', offset, offset + len));
    offset += len;
  }
  const [joinRef, ref, topic, userEvent, meta] = parts;
  let metadata: Record<string, unknown> | null = null;
  if (meta.length > 0) {
    try {
      const parsed = JSON.parse(meta);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed;
    } catch {
      return null;
    }
  }
  return {
    joinRef: joinRef === '' ? null : joinRef,
    ref: ref === '' ? null : ref,
    topic,
    userEvent,
    metadata,
    encoding: encoding as 0 | 1,
    payload: buf.subarray(offset),
  };
}

/** One server→client text frame. V1 never carries join_ref (Phoenix's V1 serializer drops it). */
export function encodeText(
  vsn: Vsn,
  joinRef: string | null,
  ref: string | null,
  topic: string,
  event: string,
  payload: unknown,
): string {
  if (vsn === 2) return JSON.stringify([joinRef, ref, topic, event, payload]);
  return JSON.stringify({ topic, event, payload, ref });
}

/** Kind-4 frame: the only binary kind realtime-js decodes. Header strings must each fit in 255 bytes. */
export function encodeUserBroadcast(
  topic: string,
  userEvent: string,
  metadataJson: string,
  encoding: 0 | 1,
  payload: Uint8Array,
): Buffer | null {
  const t = Buffer.from(topic);
  const e = Buffer.from(userEvent);
  const m = Buffer.from(metadataJson);
  if (t.length > 255 || e.length > 255 || m.length > 255) return null;
  const out = Buffer.allocUnsafe(5 + t.length + e.length + m.length + payload.length);
  out[0] = 4;
  out[1] = t.length;
  out[2] = e.length;
  out[3] = m.length;
  out[4] = encoding;
  let o = 5;
  o += t.copy(out, o);
  o += e.copy(out, o);
  o += m.copy(out, o);
  out.set(payload, o);
  return out;
}
