// Calls to the gateway's REST API with the signed-in user's credentials;
// problems (RFC 9457) become ApiError with the gateway's own detail.
import {authorization, signOut} from './auth.js';

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export async function api(path, {method = 'GET', body, signal} = {}) {
  const headers = {Accept: 'application/json'};
  const credentials = authorization();
  if (credentials) headers.Authorization = credentials;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await response.text();
  if (!response.ok) {
    let detail = `${method} ${path} answered ${response.status}`;
    try {
      const problem = JSON.parse(text);
      if (problem.detail) detail = `${problem.title ?? response.status}: ${problem.detail}`;
    } catch { /* not a problem document */ }
    if (response.status === 401) {
      signOut();
      window.dispatchEvent(new CustomEvent('ccm-signed-out', {detail}));
    }
    throw new ApiError(response.status, detail);
  }
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? JSON.parse(text) : text;
}

export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
