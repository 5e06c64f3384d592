// Who the console calls the API as: an API key pasted into the sign-in form,
// or an OIDC access token from the authorization code flow with PKCE
// (RFC 7636) against the issuer of server.auth.oidc. Kept in sessionStorage:
// gone when the tab closes, never sent anywhere but this gateway's API.

const CREDENTIAL = 'ccm.console.credential';
const PENDING = 'ccm.console.oidc';

let config = {auth_required: false, oidc: null};

export async function loadConfig() {
  const response = await fetch('/console/config.json', {cache: 'no-cache'});
  if (response.ok) config = await response.json();
  return config;
}

export function authRequired() { return config.auth_required; }
export function oidcConfig() { return config.oidc; }

export function credential() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(CREDENTIAL) ?? 'null');
    if (stored?.expires_at && Date.now() > stored.expires_at) return null;
    return stored;
  } catch {
    return null;
  }
}

export function signedIn() { return !authRequired() || credential() !== null; }

export function authorization() {
  const current = credential();
  return current ? `Bearer ${current.secret}` : null;
}

export function useApiKey(key) {
  sessionStorage.setItem(CREDENTIAL, JSON.stringify({kind: 'API key', secret: key.trim()}));
}

export function signOut() {
  sessionStorage.removeItem(CREDENTIAL);
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText() {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

// fetch() rejects (a TypeError, "Failed to fetch") when the issuer cannot be
// reached or its answer lacks the CORS headers for this origin; say which.
async function callIssuer(what, url, options) {
  try {
    return await fetch(url, options);
  } catch (failure) {
    throw new Error(`the issuer's ${what} could not be called from this page (${failure.message}): ` +
      `is the issuer reachable, and is ${location.origin} a web origin (CORS) of the client?`);
  }
}

async function discovery(issuer) {
  const response = await callIssuer('discovery document', `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the issuer's discovery document answered ${response.status}`);
  return response.json();
}

function redirectUri() { return `${location.origin}/console/`; }

// Sends the browser to the issuer's sign-in page.
export async function beginOidcSignIn() {
  const oidc = oidcConfig();
  const metadata = await discovery(oidc.issuer);
  const verifier = randomText();
  const state = randomText();
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({verifier, state, token_endpoint: metadata.token_endpoint}));
  const url = new URL(metadata.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: oidc.client_id, redirect_uri: redirectUri(), scope: 'openid',
    code_challenge: challenge, code_challenge_method: 'S256', state,
  }).toString();
  location.assign(url.toString());
}

// Back from the issuer with ?code=&state=: trades the code for a token.
// Returns false when this page load is not such a return.
export async function completeOidcSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (params.has('error')) throw new Error(`the issuer refused the sign-in: ${params.get('error_description') ?? params.get('error')}`);
  if (!pending || pending.state !== params.get('state')) throw new Error('the sign-in answer does not match the request (state); sign in again');
  const response = await callIssuer('token endpoint', pending.token_endpoint, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded'},
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      client_id: oidcConfig().client_id, code_verifier: pending.verifier,
    }),
  });
  const token = await response.json().catch(() => ({}));
  if (!response.ok || !token.access_token) {
    throw new Error(`the issuer's token endpoint answered ${response.status}: ${token.error_description ?? token.error ?? ''}`);
  }
  const expires_at = token.expires_in ? Date.now() + token.expires_in * 1000 : undefined;
  sessionStorage.setItem(CREDENTIAL, JSON.stringify({kind: 'OIDC', secret: token.access_token, expires_at}));
  return true;
}
