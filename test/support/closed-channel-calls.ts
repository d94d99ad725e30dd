/**
 * Jest setup: a call created on a closed gRPC channel ends as cancelled instead of throwing.
 *
 * The Temporal client's retry interceptor (`@temporalio/client`, grpc-retry) waits for its next attempt in a
 * `setTimeout` that `Connection.close()` does not clear. When that timer fires after the close, grpc-js throws
 * "Channel has been shut down" from inside it, off any awaited path, and Jest fails whichever test file is
 * running then: tests that stop Temporal or close their connections while a call is retrying failed now and
 * then for it. Only the tests get this; the API and the worker close their connections once, at exit.
 */
import { Channel, Metadata, status } from '@grpc/grpc-js';
import type { Call } from '@grpc/grpc-js/build/src/call-interface';

type CreateCall = (...args: Parameters<Channel['createCall']>) => Call;
const createCall = Channel.prototype.createCall;

/** A call that has ended: it reports CANCELLED (which the retry interceptor does not retry) and does nothing else. */
function endedCall(): Call {
  return {
    cancelWithStatus: () => undefined,
    getPeer: () => '',
    start: (_metadata, listener) => process.nextTick(() => listener.onReceiveStatus({ code: status.CANCELLED, details: 'Channel has been shut down', metadata: new Metadata() })),
    sendMessageWithContext: (context) => context.callback?.(),
    startRead: () => undefined,
    halfClose: () => undefined,
    getCallNumber: () => 0,
    setCredentials: () => undefined,
    getAuthContext: () => null,
  };
}

Channel.prototype.createCall = function (this: Channel, ...args: Parameters<CreateCall>): Call {
  try {
    return createCall.apply(this, args);
  } catch (err) {
    if (err instanceof Error && err.message === 'Channel has been shut down') return endedCall();
    throw err;
  }
};
