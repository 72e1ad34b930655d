import { IsoDateTime, SshEventKind } from '@watchkeeper/contracts';
import { createSshEventCheck } from './ssh-event-check-core';

/** zod's own pattern for `z.iso.datetime({ offset: true })`, read from the contract's schema. */
export const SSH_EVENT_ISO_PATTERN: RegExp | undefined = (IsoDateTime as unknown as { _zod?: { pattern?: RegExp } })._zod?.pattern;
export const SSH_EVENT_KINDS: readonly string[] = SshEventKind.options;

/** The SshEvent contract checked by hand (see ssh-event-check-core.ts), with the contract's kinds and pattern. */
export const { checkedSshEvent, checkedSshEventOf } = createSshEventCheck(SSH_EVENT_KINDS, SSH_EVENT_ISO_PATTERN);
