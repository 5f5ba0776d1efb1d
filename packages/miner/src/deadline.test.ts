import { describe, expect, it } from 'vitest';
import { ClientGone, Deadline, fromAbortSignal, RequestTimeout, raceCancel } from './deadline.js';

describe('Deadline', () => {
  it('fires listeners and its lazy signal once, with the first reason', async () => {
    const deadline = new Deadline(10_000);
    const seen: unknown[] = [];
    const off = deadline.onCancel((r) => seen.push(r));
    deadline.onCancel((r) => seen.push(r));
    off();
    const signal = deadline.signal;
    const gone = new ClientGone();
    deadline.cancel(gone);
    deadline.cancel(new Error('later'));
    expect(seen).toEqual([gone]);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(gone);
    expect(deadline.signal.reason).toBe(gone);
    let late: unknown;
    deadline.onCancel((r) => {
      late = r;
    });
    expect(late).toBe(gone);
  });

  it('times out with RequestTimeout and never after dispose', async () => {
    const fired = new Deadline(5);
    await expect(raceCancel(new Promise(() => {}), fired)).rejects.toBeInstanceOf(RequestTimeout);
    const disposed = new Deadline(5);
    disposed.dispose();
    await new Promise((r) => setTimeout(r, 20));
    expect(disposed.reason).toBeUndefined();
  });

  it('lets work that finishes first win the race', async () => {
    const deadline = new Deadline(10_000);
    await expect(raceCancel(Promise.resolve(7), deadline)).resolves.toBe(7);
    await expect(raceCancel(Promise.reject(new Error('boom')), deadline)).rejects.toThrow('boom');
    deadline.dispose();
  });

  it('adapts an AbortSignal', () => {
    const controller = new AbortController();
    const cancellable = fromAbortSignal(controller.signal);
    const seen: unknown[] = [];
    cancellable.onCancel((r) => seen.push(r));
    expect(cancellable.reason).toBeUndefined();
    controller.abort('stop');
    expect(seen).toEqual(['stop']);
    expect(cancellable.reason).toBe('stop');
  });
});
