/** A test client for server-sent events: reads a text/event-stream over real HTTP, one event (or heartbeat comment) at a time. */

export interface StreamEvent {
  /** The event name; 'comment' for a comment line (a heartbeat). */
  readonly event: string;
  readonly data: any;
}

export interface EventReader {
  readonly status: number;
  readonly contentType: string;
  /** The next event, or undefined once the server has ended the stream. */
  next(): Promise<StreamEvent | undefined>;
  /** Reads events until one satisfies `stop`, and returns every event read, that one last; fails if the stream ends first. */
  until(stop: (event: StreamEvent) => boolean): Promise<StreamEvent[]>;
  /** Every event until the server ends the stream. */
  rest(): Promise<StreamEvent[]>;
  close(): Promise<void>;
}

export async function openEvents(url: string, token: string): Promise<EventReader> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;

  async function next(): Promise<StreamEvent | undefined> {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) return { event: 'comment', data: block.slice(1).trim() };
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        return { event: fields.event ?? 'message', data: JSON.parse(fields.data ?? 'null') };
      }
      if (ended) return undefined;
      const { done, value } = await reader.read();
      if (done) ended = true;
      else buffer += decoder.decode(value, { stream: true });
    }
  }

  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    next,
    async until(stop) {
      const seen: StreamEvent[] = [];
      for (;;) {
        const event = await next();
        if (!event) throw new Error(`the stream ended before the awaited event; read: ${JSON.stringify(seen)}`);
        seen.push(event);
        if (stop(event)) return seen;
      }
    },
    async rest() {
      const seen: StreamEvent[] = [];
      for (let event = await next(); event; event = await next()) seen.push(event);
      return seen;
    },
    async close() {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}
