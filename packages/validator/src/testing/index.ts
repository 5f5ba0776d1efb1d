/** Test doubles for the validator: an in-memory chain and local fake axons. */
export { FakeChain, type FakeChainOptions, type FakeNeuron, type SetWeightsCall } from './fake-chain.js';
export { type FakeAxonReply, type FakeAxons, type FakeAxonsOptions, startFakeAxons } from './fake-axons.js';
export { adderPlugin, adderResponder } from './adder-plugin.js';
