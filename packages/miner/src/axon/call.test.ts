import { describe, expect, it } from 'vitest';
import { openCall, rawBody } from './call.js';
import { fakeReply, fakeRequest } from './testing.js';

describe('openCall', () => {
  it("opens the call state for the route's synapse", () => {
    const request = fakeRequest({ synapse: 'Work' });
    (request as { synapseCall?: unknown }).synapseCall = undefined;
    let called = false;
    openCall(request, fakeReply(), () => {
      called = true;
    });
    expect(called).toBe(true);
    expect(request.synapseCall).toMatchObject({ synapse: 'Work', priority: 0 });
    expect(request.synapseCall.started).toBeGreaterThan(0);
  });

  it('reads the raw body, empty when there was none', () => {
    expect(rawBody(fakeRequest({ body: new Uint8Array([1, 2]) }))).toEqual(new Uint8Array([1, 2]));
    expect(rawBody(fakeRequest())).toEqual(new Uint8Array(0));
  });
});
