import { CliError } from './errors.ts';

const RESOURCE_NAME = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/**
 * Fluvio's resource-name rule (a DNS label): lowercase letters, digits and '-', starting and
 * ending with a letter or digit, at most 63 characters. Checked here so the user gets the reason
 * before any network round trip.
 */
export function validateResourceName(kind: string, name: string): void {
  if (name.length === 0) throw new CliError(`${kind} name is empty`);
  if (name.length > 63) throw new CliError(`invalid ${kind} name '${name}': longer than 63 characters`);
  if (!RESOURCE_NAME.test(name)) {
    throw new CliError(`invalid ${kind} name '${name}': use lowercase letters, digits and '-', starting and ending with a letter or digit`);
  }
}
