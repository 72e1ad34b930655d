/** A value that does not satisfy its topic's contract. Never sent, never retried. */
export class ContractViolation extends Error {
  override name = 'ContractViolation';
  constructor(readonly topic: string, readonly issues: string) {
    super(`value does not match the contract of ${topic}: ${issues}`);
  }
}

/**
 * Thrown by a handler for a message that can never succeed (e.g. refers to something that cannot
 * exist): it goes to the dead-letter topic at once instead of being retried.
 */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
