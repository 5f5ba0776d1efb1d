import { describe, expect, it } from 'vitest';
import { ClientGone, RequestTimeout } from '../deadline.js';
import { OverloadedError, PriorityGate } from '../priority-gate.js';
import { createAdmitHook } from './admit.js';
import { fakeReply, fakeRequest } from './testing.js';

describe('admission (preHandler)', () => {
  it('starts the deadline and takes a slot; dispose stops the deadline', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 0 });
    const hook = createAdmitHook(gate, () => 50);
    const request = fakeRequest();
    await hook(request, fakeReply());
    const call = request.synapseCall;
    expect(gate.stats().running).toBe(1);
    expect(call.deadline).toBeDefined();
    call.dispose!();
    await new Promise((r) => setTimeout(r, 80));
    expect(call.deadline!.reason).toBeUndefined();
    call.release!();
    expect(gate.stats().running).toBe(0);
  });

  it('sheds with Overloaded when the gate is full', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 0 });
    const hook = createAdmitHook(gate, () => 1_000);
    await hook(fakeRequest(), fakeReply());
    await expect(hook(fakeRequest(), fakeReply())).rejects.toBeInstanceOf(OverloadedError);
  });

  it('stops waiting at the timeout, or when the client goes away', async () => {
    const gate = new PriorityGate({ maxConcurrency: 1, maxQueue: 4 });
    const hook = createAdmitHook(gate, () => 30);
    const holder = fakeRequest();
    await hook(holder, fakeReply());
    await expect(hook(fakeRequest(), fakeReply())).rejects.toBeInstanceOf(RequestTimeout);
    const reply = fakeReply();
    const waiting = hook(fakeRequest(), reply);
    reply.raw.emit('close');
    await expect(waiting).rejects.toBeInstanceOf(ClientGone);
    expect(gate.stats().waiting).toBe(0);
    holder.synapseCall.dispose!();
  });
});
