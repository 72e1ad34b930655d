/**
 * The HostName rule without zod, for code that checks names before the contracts load (the one-shot
 * `count`); HostName in common.ts is built from the same pattern and bound.
 */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export const HOST_NAME_MAX_LENGTH = 253;

export function isHostName(raw: string): boolean {
  return raw.length >= 1 && raw.length <= HOST_NAME_MAX_LENGTH && HOST_NAME_PATTERN.test(raw);
}
