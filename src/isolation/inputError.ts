/**
 * Bad input from the user (a setting, a wizard answer, a CLI flag), caught before anything
 * is created. `field` names what to fix; the message says what was wrong and what to do.
 */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
