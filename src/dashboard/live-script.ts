/**
 * live.js: a dashboard page that follows the tenant's live feed (issue 17). The page marks what may
 * change with `data-live="name"` and carries a `[data-live-status]` element naming the feed, the seq
 * its reads saw last and the event types that change it (live.tsx). The script listens with
 * EventSource (the session cookie authenticates it; `?after=` and then Last-Event-ID mean no event
 * between the page's render and now is missed), and on a wanted event fetches the same address
 * again and swaps each marked part that changed: one refresh for a burst, none while the tab is
 * hidden, never a part holding the focus (a control the user is in), the scroll position kept on
 * what the user was looking at. Without script the page is the same page, reloaded by hand.
 */
export const LIVE_SCRIPT = `(() => {
  'use strict';
  const status = document.querySelector('[data-live-status]');
  if (!status || !window.EventSource || !window.DOMParser || !window.fetch) return;
  const types = status.dataset.types.split(' ').filter(Boolean);
  let after = status.dataset.after;
  // dirty: an event came that the page does not show yet; held: a part waits for the user to leave it.
  let source = null, timer = 0, running = false, dirty = false, held = false, stopped = false, failures = 0, spacing = 300;

  const show = (state, text) => {
    status.hidden = false;
    status.dataset.state = state;
    status.textContent = text;
  };

  // The first part on or below the top of the window, and where it is: kept there after a swap.
  const anchor = () => {
    for (const el of document.querySelectorAll('[data-live], [data-live] [id]')) {
      const box = el.getBoundingClientRect();
      // Hidden elements (no box) sit at 0 wherever the page is scrolled: no anchor.
      if (box.width === 0 && box.height === 0) continue;
      const top = box.top;
      if (top >= 0) return { key: el.id ? '#' + CSS.escape(el.id) : '[data-live="' + CSS.escape(el.dataset.live) + '"]', top };
    }
    return null;
  };

  const swap = (next) => {
    const kept = anchor();
    for (const part of document.querySelectorAll('[data-live]')) {
      const fresh = next.querySelector('[data-live="' + CSS.escape(part.dataset.live) + '"]');
      if (!fresh || fresh.outerHTML === part.outerHTML) continue;
      // A part the user is in (a status list open, a link focused) waits until they leave it.
      if (part.contains(document.activeElement)) held = true;
      else part.replaceWith(document.adoptNode(fresh));
    }
    const moved = kept && document.querySelector(kept.key);
    if (moved) window.scrollBy(0, moved.getBoundingClientRect().top - kept.top);
    status.title = 'Updated ' + new Date().toLocaleTimeString();
  };

  const refresh = async () => {
    clearTimeout(timer);
    timer = 0;
    if (running || stopped || !dirty || document.hidden) return;
    dirty = false;
    running = true;
    const started = Date.now();
    try {
      // The header keeps a waiting one-time message (a form's outcome) for the page it was meant for.
      const res = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { 'x-revline-live': 'refresh' } });
      const reached = new URL(res.url);
      if (reached.pathname !== location.pathname) return stop(/\\/dashboard\\/login$/.test(reached.pathname) ? 'Signed out: reload to sign in' : 'Stopped: reload the page');
      if (!res.ok) throw new Error('HTTP ' + res.status);
      // Only the page's <main>: the parts are there, and the page's own <style> and <script>, whose
      // nonce is not this page's, would each be reported as a CSP violation when parsed.
      const html = await res.text();
      const start = html.indexOf('<main'), end = html.lastIndexOf('</main>');
      if (start < 0 || end < start) throw new Error('not a dashboard page');
      swap(new DOMParser().parseFromString(html.slice(start, end + 7), 'text/html'));
      // A page that no longer exists (the last page emptied) was redirected to one that does.
      if (reached.search !== location.search) history.replaceState(history.state, '', reached.pathname + reached.search);
    } catch (_) {
      dirty = true; // tried again on the next event or reconnection
      return;
    } finally {
      running = false;
      spacing = Math.min(5000, Math.max(300, 2 * (Date.now() - started)));
    }
    if (dirty) schedule();
  };

  const schedule = () => {
    dirty = true;
    if (!timer && !running && !stopped) timer = setTimeout(refresh, spacing);
  };

  const onEvent = (event) => {
    if (event.lastEventId) after = event.lastEventId;
    schedule();
  };

  // after: the last wanted event's seq, '' when unknown (then the feed opens from now and the page
  // is read once it is open, which covers what came before). A reconnection reads the page too.
  const connect = () => {
    if (stopped) return;
    const url = new URL(status.dataset.feed, location.href);
    if (after) url.searchParams.set('after', after);
    else dirty = true;
    let broken = false;
    source = new EventSource(url);
    for (const type of types) source.addEventListener(type, onEvent);
    source.onopen = () => {
      failures = 0;
      show('live', 'Live');
      if (broken) dirty = true;
      if (dirty) schedule();
    };
    source.onerror = () => {
      if (stopped) return;
      broken = true;
      show('reconnecting', 'Reconnecting…');
      // CONNECTING: the browser retries by itself, with Last-Event-ID. CLOSED: the server refused
      // (signed out, too many connections, an error): try again later; reading the page on the way
      // finds out whether the session is over.
      if (source.readyState !== EventSource.CLOSED) return;
      source = null;
      failures += 1;
      setTimeout(() => {
        dirty = true;
        refresh().then(connect);
      }, Math.min(30000, 1000 * 2 ** failures));
    };
  };

  const stop = (text) => {
    stopped = true;
    if (source) source.close();
    show('off', text);
  };

  // A tab hidden for a while lets its connection go (browsers allow few per host over HTTP/1.1, and
  // an idle stream still holds the tenant object); shown again, it reconnects and reads the page.
  let parking = 0;
  const onVisibility = () => {
    clearTimeout(parking);
    if (document.hidden) {
      parking = setTimeout(() => {
        if (!source) return;
        source.close();
        source = null;
        after = '';
        show('connecting', 'Paused while hidden');
      }, 30000);
      return;
    }
    if (!source && !stopped && !failures) {
      show('connecting', 'Connecting…');
      connect();
    } else if (dirty) schedule();
  };
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener('focusout', (event) => {
    const part = event.target.closest && event.target.closest('[data-live]');
    if (held && part && !(event.relatedTarget && part.contains(event.relatedTarget))) {
      held = false;
      schedule();
    }
  });
  // Leaving the page closes the stream; coming back to it from the history cache opens it again.
  window.addEventListener('pagehide', () => {
    if (source) source.close();
    source = null;
  });
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted || stopped || source) return;
    dirty = true;
    connect();
  });
  show('connecting', 'Connecting…');
  connect();
  // A page opened in a background tab parks too.
  if (document.hidden) onVisibility();
})();
`
