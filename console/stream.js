// The live event stream (GET /api/v1/events/stream) read with fetch():
// EventSource cannot send an Authorization header, fetch can. The body is
// parsed as Server-Sent Events; a dropped stream is reopened after a pause
// with Last-Event-ID, so no event is missed or repeated.
import {authorization} from './auth.js';
import {query} from './api.js';

const RECONNECT_MS = 2000;

// Calls onEvent({sequence, type, event}) for each event the filters
// ({type, subject, after}) select and onState('open'|'reconnecting'|'closed',
// detail). Returns a function that closes the stream.
export function openEventStream(filters, {onEvent, onState = () => {}}) {
  const controller = new AbortController();
  let lastId = filters.after ?? null;
  let closed = false;

  async function readOnce() {
    const headers = {Accept: 'text/event-stream'};
    const credentials = authorization();
    if (credentials) headers.Authorization = credentials;
    if (lastId !== null && lastId !== undefined && lastId !== '') headers['Last-Event-ID'] = String(lastId);
    const response = await fetch(`/api/v1/events/stream${query({type: filters.type, subject: filters.subject})}`,
                                 {headers, signal: controller.signal, cache: 'no-store'});
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw Object.assign(new Error(problem.detail ?? `the stream answered ${response.status}`), {status: response.status});
    }
    onState('open');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        dispatch(block);
      }
    }
  }

  function dispatch(block) {
    let id = null;
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;  // a comment: the heartbeat
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    if (id !== null) lastId = id;
    try {
      onEvent({sequence: Number(id), type, event: JSON.parse(data.join('\n'))});
    } catch (error) {
      console.error('event stream: cannot read an event', error);
    }
  }

  (async () => {
    while (!closed) {
      try {
        await readOnce();
        if (!closed) onState('reconnecting', 'the stream ended');
      } catch (error) {
        if (closed) break;
        if (error.status === 410) {
          lastId = null;  // retention deleted what was missed: go on from now, and say so
          onState('reconnecting', `${error.message}; continuing with new events`);
          continue;
        }
        if (error.status === 401 || error.status === 403 || error.status === 400) {
          onState('closed', error.message);
          return;
        }
        onState('reconnecting', error.message);
      }
      await new Promise(resolve => setTimeout(resolve, RECONNECT_MS));
    }
  })();

  return () => {
    closed = true;
    controller.abort();
    onState('closed', 'stopped');
  };
}
