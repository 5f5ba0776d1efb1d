/**
 * Reading a streamed synapse answer: `text/event-stream` (one `data:` JSON event per chunk, an
 * `event: error` event for a miner-side failure, the end of the body for the end of the stream).
 * The parser is pure; {@link readEventStream} feeds it from the response body under a size cap and
 * records what arrived, so a stream cut at a deadline still reports its timing.
 */
import type { StreamCut, StreamTiming } from '@subnetkit/core';

/** One dispatched server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
}

/** Incremental `text/event-stream` parser (WHATWG HTML, "event stream interpretation"). */
export class EventStreamParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private sawField = false;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const out: ServerSentEvent[] = [];
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer);
      // A lone trailing \r may be the first half of \r\n: wait for the next byte.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.sawField && this.data.length > 0) {
          out.push({ event: this.event || 'message', data: this.data.join('\n') });
        }
        this.data = [];
        this.event = '';
        this.sawField = false;
        continue;
      }
      if (line.startsWith(':')) continue; // comment / keep-alive
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      this.sawField = true;
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      // id, retry and unknown fields carry nothing a synapse uses.
    }
    return out;
  }
}

/** What {@link readEventStream} saw; filled while reading, so it is complete up to a cut. */
export interface StreamProgress {
  chunks: unknown[];
  bytes: number;
  /** `performance.now()` of the first and last valid chunk. */
  firstChunkAt?: number;
  lastChunkAt?: number;
  cut?: StreamCut;
  /** Why the stream was cut or failed. */
  error?: string;
}

/** Options of {@link readEventStream}. */
export interface ReadEventStreamOptions {
  /** Cut the stream (`size_cap`) past this many body bytes. */
  maxBytes: number;
  /** Undefined when a chunk matches the synapse's chunk schema, else the reason. */
  checkChunk: (chunk: unknown) => string | undefined;
  /** Called once, on the first valid chunk (to stop the first-chunk deadline). */
  onFirstChunk?: () => void;
  now?: () => number;
}

/**
 * Reads a stream body into `progress` until it ends, or cuts it (destroying the body) when it
 * grows past `maxBytes` or sends a malformed event (data that is not JSON, a chunk that fails the
 * schema, an `error` event). Transport errors and aborts (the caller's deadlines) are thrown;
 * `progress` then holds what arrived before.
 */
export async function readEventStream(
  body: AsyncIterable<Uint8Array> & {
    destroy?: (e?: Error) => void;
    on?: (event: 'error', listener: () => void) => unknown;
  },
  progress: StreamProgress,
  options: ReadEventStreamOptions,
): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const parser = new EventStreamParser();
  const decoder = new TextDecoder('utf-8');
  const cut = (reason: StreamCut, error: string) => {
    progress.cut = reason;
    progress.error = error;
    body.on?.('error', () => undefined); // the abort the destroy causes is expected
    body.destroy?.();
  };
  for await (const bytes of body) {
    progress.bytes += bytes.byteLength;
    if (progress.bytes > options.maxBytes) {
      cut('size_cap', `stream larger than ${options.maxBytes} bytes`);
      return;
    }
    for (const event of parser.push(decoder.decode(bytes, { stream: true }))) {
      const problem = eventProblem(event, options.checkChunk);
      if (problem.error !== undefined) {
        cut('malformed_event', `stream event ${progress.chunks.length + 1}: ${problem.error}`);
        return;
      }
      const at = now();
      if (progress.firstChunkAt === undefined) {
        progress.firstChunkAt = at;
        options.onFirstChunk?.();
      }
      progress.lastChunkAt = at;
      progress.chunks.push(problem.chunk);
    }
  }
}

function eventProblem(
  event: ServerSentEvent,
  checkChunk: (chunk: unknown) => string | undefined,
): { chunk?: unknown; error?: string } {
  if (event.event === 'error') return { error: `the miner sent an error event: ${event.data.slice(0, 300)}` };
  if (event.event !== 'message') return { error: `unexpected event type "${event.event.slice(0, 40)}"` };
  let chunk: unknown;
  try {
    chunk = JSON.parse(event.data);
  } catch {
    return { error: 'data is not JSON' };
  }
  const reason = checkChunk(chunk);
  return reason === undefined ? { chunk } : { error: reason };
}

/** The timing `reward` sees, from a stream's progress and when it started and ended. */
export function streamTiming(progress: StreamProgress, startedAt: number, endedAt: number): StreamTiming {
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  const timing: StreamTiming = {
    chunks: progress.chunks.length,
    bytes: progress.bytes,
    durationMs: ms(endedAt - startedAt),
    chunksPerSecond: 0,
  };
  if (progress.firstChunkAt !== undefined) {
    timing.firstChunkMs = ms(progress.firstChunkAt - startedAt);
    const span = (progress.lastChunkAt ?? progress.firstChunkAt) - progress.firstChunkAt;
    if (progress.chunks.length > 1 && span > 0) {
      timing.chunksPerSecond = ms(((progress.chunks.length - 1) * 1000) / span);
    }
  }
  if (progress.cut !== undefined) timing.cut = progress.cut;
  return timing;
}
