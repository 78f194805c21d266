/**
 * The passkey pages' scripts, both loaded from this origin with the page's nonce (the dashboard's CSP
 * allows no other host and no inline script without it):
 *   WEBAUTHN_LIBRARY  @simplewebauthn/browser's prebuilt bundle (global `SimpleWebAuthnBrowser`): a
 *                     static asset copied from the package by scripts/vendor-assets.mjs
 *   passkeys.js       this page script, served by the Worker (assets.ts): the "Sign in with a
 *                     passkey" button and the "Add a passkey" form
 * The page script reads its addresses from data attributes, so it holds no tenant's paths.
 */

/** The library's address (public/vendor/, see scripts/vendor-assets.mjs). */
export const WEBAUTHN_LIBRARY = '/vendor/simplewebauthn-browser/index.umd.min.js'

const PAGE_SCRIPT = `(() => {
  'use strict';
  // Both passkey pieces may be on one page, each loading this script: wire the page once.
  if (window.revlinePasskeys) return;
  window.revlinePasskeys = true;
  const lib = window.SimpleWebAuthnBrowser;
  const supported = Boolean(lib && lib.browserSupportsWebAuthn());

  const say = (element, text, ok) => {
    if (!element) return;
    element.textContent = text;
    element.className = ok ? 'notice notice-ok' : 'notice';
    element.setAttribute('role', ok ? 'status' : 'alert');
    element.hidden = !text;
  };

  const post = (url, body) =>
    fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body || {}) });

  /** The problem's words (problem+json), or the status. */
  const problemOf = async (res) => {
    try {
      const problem = await res.json();
      const fields = (problem.errors || []).map((e) => e.message).join('; ');
      return (problem.detail || 'HTTP ' + res.status) + (fields ? ': ' + fields : '') + '.';
    } catch (_) {
      return 'The request failed (HTTP ' + res.status + ').';
    }
  };

  /** What went wrong, for people: a cancelled or timed-out prompt is the common case. */
  const messageOf = (error) => {
    if (error && error.name === 'NotAllowedError') return 'No passkey was used (the prompt was cancelled or timed out).';
    if (error && error.name === 'InvalidStateError') return 'This device already holds a passkey for you here.';
    return (error && error.message) || 'Something went wrong; try again.';
  };

  const json = async (res) => {
    if (!res.ok) throw new Error(await problemOf(res));
    return res.json();
  };

  document.querySelectorAll('[data-passkey-sign-in]').forEach((button) => {
    const status = document.getElementById(button.dataset.status);
    if (!supported) {
      say(status, 'This browser cannot use passkeys: sign in with an email link instead.');
      return;
    }
    button.disabled = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      say(status, 'Waiting for your passkey…', true);
      try {
        const optionsJSON = await json(await post(button.dataset.options));
        const response = await lib.startAuthentication({ optionsJSON });
        const signedIn = await json(await post(button.dataset.verify, { response }));
        say(status, 'Signed in as ' + signedIn.user.name + '.', true);
        window.location.assign(signedIn.redirect);
      } catch (error) {
        say(status, messageOf(error));
        button.disabled = false;
      }
    });
  });

  document.querySelectorAll('form[data-passkey-register]').forEach((form) => {
    const status = document.getElementById(form.dataset.status);
    const button = form.querySelector('button');
    if (!supported) {
      say(status, 'This browser cannot make passkeys.');
      return;
    }
    button.disabled = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      say(status, 'Follow your browser’s prompt to make the passkey…', true);
      try {
        const optionsJSON = await json(await post(form.dataset.options));
        const response = await lib.startRegistration({ optionsJSON });
        const name = form.elements.name.value.trim();
        const passkey = await json(await post(form.dataset.register, name ? { name, response } : { response }));
        window.location.assign(form.dataset.done + '?added=' + encodeURIComponent(passkey.id));
      } catch (error) {
        say(status, messageOf(error));
        button.disabled = false;
      }
    });
  });
})();
`

/** The Worker's passkey scripts by file name (assets.ts). */
export const PASSKEY_ASSETS: Record<string, string> = {
  'passkeys.js': PAGE_SCRIPT,
}
