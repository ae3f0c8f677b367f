import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

const CSRF_COOKIE = 'tl_csrf';
const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function readCookie(name: string): string | undefined {
  const prefix = `${name}=`;
  const entry = document.cookie.split('; ').find((part) => part.startsWith(prefix));
  return entry === undefined ? undefined : decodeURIComponent(entry.slice(prefix.length));
}

/**
 * The server refuses a state-changing request made with the session cookie unless it echoes the
 * readable CSRF cookie in a header; a page on another origin can send the cookie but not read it.
 */
const csrfHeader: Middleware = {
  onRequest({ request }) {
    const token = readCookie(CSRF_COOKIE);
    if (!SAFE_METHODS.has(request.method) && token !== undefined) request.headers.set(CSRF_HEADER, token);
    return request;
  },
};

/**
 * The session cookie itself is HttpOnly; its readable CSRF twin is set and cleared with it, so its
 * presence says whether asking the server "who am I" can succeed at all.
 */
export const mayHaveSession = (): boolean => readCookie(CSRF_COOKIE) !== undefined;

/** The typed Trustloop API client; paths, parameters and bodies are checked against the OpenAPI document. */
export const api = createClient<paths>({ credentials: 'same-origin' });
api.use(csrfHeader);
