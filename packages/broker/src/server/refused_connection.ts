// A connection the listener will not serve (the process is short of descriptors): its first
// request is answered with BrokerUnavailable and the reason, then it is closed. The request is
// read first because the answer must carry its correlation id; a client that sends nothing within
// REFUSED_CONNECTION_WAIT_MS is closed without a word (it asked nothing).
import type { Socket } from 'node:net';
import { ErrorCode, FrameDecoder, StatusResponse, apiByKey, encodeResponse, readRequestHeader } from '@eddy/protocol';
import { REFUSED_CONNECTION_WAIT_MS } from '../defaults.ts';
import { errorBody } from './error_response.ts';

/** Takes over `socket` (accepted paused); `onClosed` runs once it has closed. */
export function refuseConnection(socket: Socket, message: string, maxFrameBytes: number, onClosed: () => void): void {
  const decoder = new FrameDecoder(maxFrameBytes);
  let answered = false;
  const timer = setTimeout(() => socket.destroy(), REFUSED_CONNECTION_WAIT_MS);
  timer.unref();
  const answer = (body: Buffer): void => {
    if (answered) return;
    answered = true;
    const { header } = readRequestHeader(body);
    const spec = apiByKey(header.apiKey);
    const schema = spec?.response ?? StatusResponse;
    const key = spec?.response ? spec.key : -1;
    const parts = encodeResponse(header.correlationId, schema, errorBody(key, ErrorCode.BrokerUnavailable, message));
    socket.cork();
    for (const p of parts) socket.write(p);
    socket.end();
    socket.uncork();
  };
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    try {
      decoder.push(chunk, answer);
    } catch {
      socket.destroy(); // not a request we can address an answer to
    }
  });
  // Half-open listener: end our side when the client ends its own before asking anything.
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
  socket.once('close', () => {
    clearTimeout(timer);
    onClosed();
  });
  socket.resume();
}
