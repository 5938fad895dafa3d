// Live results (docs/api.md "Live results"): a WebSocket on /ws/polls/{id}, or Server-Sent Events on
// /sse/polls/{id} where a WebSocket cannot connect (a proxy that drops upgrades, for instance). Both
// carry the same messages: {"type": "results", version, closed, total_votes, questions, viewers}.

const RETRY_DELAYS_MS = [1000, 2000, 5000, 10000];

/**
 * Watches one poll until it closes or stop() is called.
 * onResults(message) gets every message that does not go back in time; onStatus(status) gets
 * {transport: "websocket" | "sse" | null, state: "connecting" | "live" | "reconnecting" | "closed" | "not-found" | "failed"}.
 * transport "auto" tries WebSocket first; "sse" or "websocket" forces one (handy for testing).
 */
export function watchResults(pollIdOrSlug, { onResults, onStatus, query = '', transport = 'auto' }) {
  const id = encodeURIComponent(pollIdOrSlug);
  let latest = -1; // newest version shown: versions never go backwards, the client keeps it so
  let finished = false;
  let socket = null;
  let source = null;
  let failures = 0;
  let retryTimer = null;

  function deliver(message) {
    if (message.type !== 'results' || typeof message.version !== 'number') return;
    // equal versions carry equal counts, but may bring a fresh viewer count or the closing flag
    if (message.version < latest) return;
    latest = message.version;
    onResults(message);
    if (message.closed) finish('closed');
  }

  function finish(state, transportName = null) {
    finished = true;
    clearTimeout(retryTimer);
    if (socket) socket.close(1000);
    if (source) source.close();
    onStatus({ transport: transportName, state });
  }

  function openWebSocket() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    onStatus({ transport: 'websocket', state: failures ? 'reconnecting' : 'connecting' });
    let opened = false;
    socket = new WebSocket(`${scheme}://${location.host}/ws/polls/${id}${query}`);
    socket.onopen = () => {
      opened = true;
      failures = 0;
      onStatus({ transport: 'websocket', state: 'live' });
    };
    socket.onmessage = (event) => deliver(JSON.parse(event.data));
    socket.onclose = (event) => {
      socket = null;
      if (finished) return;
      if (event.code === 4404) return finish('not-found', 'websocket');
      failures++;
      // never connected: WebSocket does not get through here, use SSE (unless forced)
      if (!opened && transport === 'auto') return openEventSource();
      retryTimer = setTimeout(openWebSocket, RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]);
    };
  }

  function openEventSource() {
    onStatus({ transport: 'sse', state: 'connecting' });
    source = new EventSource(`/sse/polls/${id}${query}`);
    source.onopen = () => onStatus({ transport: 'sse', state: 'live' });
    source.addEventListener('results', (event) => deliver(JSON.parse(event.data)));
    source.onerror = () => {
      if (finished) return;
      // EventSource reconnects by itself after a dropped stream, and gives up (CLOSED) on an error
      // status: 404 for an unknown poll, 401 for a missing token, 503 when the server is degraded
      if (source.readyState === EventSource.CLOSED) finish('failed', 'sse');
      else onStatus({ transport: 'sse', state: 'reconnecting' });
    };
  }

  if (transport === 'sse') openEventSource();
  else openWebSocket();

  return {
    stop() {
      if (!finished) {
        finished = true;
        clearTimeout(retryTimer);
        if (socket) socket.close(1000);
        if (source) source.close();
      }
    },
  };
}
