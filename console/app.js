// The console's entry point: sign-in, then one page per location hash
// (#/sessions, #/sessions/{id}, #/workers, #/sinks, #/deadletters, #/events,
// #/schemas, #/schemas/{type}). Each page renders into <main> and returns a
// function that stops its timers and streams when the user leaves it.
import * as auth from './auth.js';
import {h, errorBox, announce} from './dom.js';
import {sessionsPage} from './sessions.js';
import {sessionPage} from './session.js';
import {workersPage} from './workers.js';
import {sinksPage} from './sinks.js';
import {deadLettersPage} from './deadletters.js';
import {eventsPage} from './events.js';
import {schemasPage} from './schemas.js';
import {api} from './api.js';

const routes = [
  [/^#\/sessions$/, sessionsPage],
  [/^#\/sessions\/([^/]+)$/, sessionPage],
  [/^#\/workers$/, workersPage],
  [/^#\/sinks$/, sinksPage],
  [/^#\/deadletters$/, deadLettersPage],
  [/^#\/events$/, eventsPage],
  [/^#\/schemas$/, schemasPage],
  [/^#\/schemas\/([^/]+)$/, schemasPage],
];

const main = document.getElementById('main');
let leavePage = () => {};

function showPrincipal() {
  const current = auth.credential();
  document.getElementById('principal').textContent = current ? `Signed in (${current.kind})` : '';
  document.getElementById('sign-out').hidden = !current;
}

function signInPage(message) {
  document.title = 'Sign in · ccm-gateway console';
  const key = h('input', {id: 'api-key', name: 'api_key', type: 'password', required: true, autocomplete: 'off'});
  const error = h('div', {'aria-live': 'assertive'});
  if (message) error.append(errorBox(message));
  const form = h('form', {className: 'sign-in', 'aria-labelledby': 'sign-in-title'},
    h('h1', {id: 'sign-in-title'}, 'Sign in'),
    h('p', {}, 'The console calls the gateway\u2019s API with your credentials, as curl would.'),
    h('label', {for: 'api-key'}, 'API key', key),
    h('button', {type: 'submit', className: 'primary'}, 'Sign in with API key'),
    error);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    auth.useApiKey(key.value);
    try {
      await api('/api/v1/sessions?limit=1');
      announce('Signed in');
      showPrincipal();
      if (!location.hash.startsWith('#/')) location.hash = '#/sessions';
      else render();
    } catch (failure) {
      auth.signOut();
      error.replaceChildren(errorBox(failure));
      key.focus();
    }
  });
  const oidc = auth.oidcConfig();
  if (oidc) {
    form.append(h('p', {}, 'or'),
      h('button', {type: 'button', onclick: () => auth.beginOidcSignIn().catch(e => error.replaceChildren(errorBox(e)))},
        `Sign in with ${new URL(oidc.issuer).host}`));
  }
  main.replaceChildren(form);
  key.focus();
}

function markCurrentLink() {
  const section = (location.hash.match(/^#\/[a-z]+/) ?? ['#/sessions'])[0];
  for (const link of document.querySelectorAll('nav a')) {
    if (link.getAttribute('href') === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render() {
  leavePage();
  leavePage = () => {};
  showPrincipal();
  if (!auth.signedIn()) return signInPage();
  if (!location.hash.startsWith('#/')) {
    location.replace('#/sessions');
    return;
  }
  markCurrentLink();
  const found = routes.find(([pattern]) => pattern.test(location.hash));
  if (!found) {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, `The console has no page ${location.hash}.`));
    return;
  }
  const [pattern, page] = found;
  const params = location.hash.match(pattern).slice(1).map(decodeURIComponent);
  try {
    leavePage = (await page(main, ...params)) ?? (() => {});
  } catch (error) {
    main.append(errorBox(error));
  }
  main.focus({preventScroll: true});
}

document.getElementById('sign-out').addEventListener('click', () => {
  auth.signOut();
  announce('Signed out');
  render();
});
document.getElementById('skip-link').addEventListener('click', event => {
  event.preventDefault();  // the hash is the page's location
  main.focus();
});
window.addEventListener('hashchange', render);
window.addEventListener('ccm-signed-out', event => signInPage(event.detail));

(async () => {
  try {
    await auth.loadConfig();
    await auth.completeOidcSignIn();
  } catch (error) {
    return signInPage(error.message);
  }
  render();
})();
