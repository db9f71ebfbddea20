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

/** The image a workspace should run is not on the engine: the UI offers Pull / Build / Choose. */
export class MissingImageError extends InputError {
  constructor(
    readonly image: string,
    host: string,
  ) {
    super('image', `Image ${image} is not on the engine at ${host}: pull or build it first, or choose another image.`);
    this.name = 'MissingImageError';
  }
}
