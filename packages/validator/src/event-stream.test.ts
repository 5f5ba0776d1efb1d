import { describe, expect, it } from 'vitest';
import { EventStreamParser, readEventStream, type StreamProgress, streamTiming } from './event-stream.js';

describe('EventStreamParser', () => {
  it('dispatches data events across chunk boundaries, line endings, comments and event types', () => {
    const p = new EventStreamParser();
    expect(p.push('data: {"a"')).toEqual([]);
    expect(p.push(':1}\r')).toEqual([]);
    expect(p.push('\n\r\n: keep-alive\n\nevent: error\ndata: x\ndata: y\n\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'error', data: 'x\ny' },
    ]);
    expect(p.push('id: 3\n\ndata:no-space\n\n')).toEqual([{ event: 'message', data: 'no-space' }]);
  });
});

async function* bytes(...parts: string[]) {
  for (const part of parts) yield new TextEncoder().encode(part);
}

describe('readEventStream', () => {
  const check = (c: unknown) => (typeof (c as { t?: unknown }).t === 'string' ? undefined : 'needs t');

  it('collects valid chunks and their arrival times', async () => {
    let clock = 10;
    const progress: StreamProgress = { chunks: [], bytes: 0 };
    let first = 0;
    await readEventStream(bytes('data: {"t":"a"}\n\n', 'data: {"t":"b"}\n\n'), progress, {
      maxBytes: 1_000,
      checkChunk: check,
      onFirstChunk: () => first++,
      now: () => (clock += 100),
    });
    expect(progress).toMatchObject({ chunks: [{ t: 'a' }, { t: 'b' }], firstChunkAt: 110, lastChunkAt: 210 });
    expect(first).toBe(1);
    expect(streamTiming(progress, 0, 300)).toEqual({
      chunks: 2,
      bytes: 34,
      durationMs: 300,
      firstChunkMs: 110,
      chunksPerSecond: 10,
    });
  });

  it('cuts at a malformed event or past the size cap, keeping what came before', async () => {
    const bad: StreamProgress = { chunks: [], bytes: 0 };
    await readEventStream(bytes('data: {"t":"a"}\n\ndata: {"x":1}\n\ndata: {"t":"c"}\n\n'), bad, {
      maxBytes: 1_000,
      checkChunk: check,
    });
    expect(bad).toMatchObject({ chunks: [{ t: 'a' }], cut: 'malformed_event' });
    expect(bad.error).toMatch(/event 2: needs t/);
    const big: StreamProgress = { chunks: [], bytes: 0 };
    await readEventStream(bytes('data: {"t":"a"}\n\n', 'x'.repeat(50)), big, {
      maxBytes: 40,
      checkChunk: check,
    });
    expect(big).toMatchObject({ chunks: [{ t: 'a' }], cut: 'size_cap' });
    expect(streamTiming(big, 0, 5).cut).toBe('size_cap');
  });
});
