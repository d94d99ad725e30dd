/**
 * Headers for the pages a browser renders (the console, the API reference): a strict
 * Content-Security-Policy (scripts and styles from this origin only, never inline, so markup
 * injected through a name cannot run), no framing (clickjacking), no MIME sniffing, no referrer.
 */
import type { RequestHandler } from 'express';

const DIRECTIVES = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'font-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

/**
 * The one policy of the console and of /docs. swagger-ui (/docs) needs no exception: React sets
 * its style properties through the CSSOM, which style-src does not govern (checked in Chromium).
 */
export const STRICT_CSP = Object.entries(DIRECTIVES)
  .map(([name, value]) => `${name} ${value}`)
  .join('; ');

export const browserHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': STRICT_CSP,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  });
  next();
};
