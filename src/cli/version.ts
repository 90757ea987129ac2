import { readFileSync } from 'node:fs';

/** pipe's version from package.json (part of every cache key's runtime fingerprint). */
export const pipeVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
