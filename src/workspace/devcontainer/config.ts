import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse, ParseError, printParseErrorCode } from 'jsonc-parser';
import { InputError } from '../../engine/errors';

/**
 * A project's dev container configuration (containers.dev): where it is and what it says,
 * each property checked for its type, so a mistake reads "containerEnv must be …" rather than a
 * failure half-way through a create. Read only: nothing here runs or builds.
 */

export type LifecycleCommand = string | string[] | Record<string, string | string[]>;

/** A lifecycle command as argv lists: a string runs in sh, an array as is, an object's entries one after another. */
export function lifecycleArgv(command: LifecycleCommand): string[][] {
  if (typeof command === 'string') return [['sh', '-c', command]];
  if (Array.isArray(command)) return [command];
  return Object.values(command).flatMap((part) => lifecycleArgv(part));
}

export interface DevcontainerConfig {
  /** The devcontainer.json file, and the folder its relative paths start from. */
  file: string;
  dir: string;
  raw: Record<string, unknown>;
}

/**
 * Every configuration of a folder, where the spec looks: .devcontainer/devcontainer.json, then
 * .devcontainer.json, then each .devcontainer/<name>/devcontainer.json (sorted).
 */
export function devcontainerConfigs(folder: string): string[] {
  const fixed = [join(folder, '.devcontainer', 'devcontainer.json'), join(folder, '.devcontainer.json')].filter((file) => existsSync(file));
  const dir = join(folder, '.devcontainer');
  let named: string[] = [];
  try {
    named = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'devcontainer.json')))
      .map((entry) => join(dir, entry.name, 'devcontainer.json'))
      .sort();
  } catch {
    // no .devcontainer folder
  }
  return [...fixed, ...named];
}

/**
 * The configuration a create uses: the first fixed one, else the only named one (several
 * named ones need a choice); undefined when there is none.
 */
export function chooseDevcontainerConfig(folder: string): string | undefined {
  const fixed = [join(folder, '.devcontainer', 'devcontainer.json'), join(folder, '.devcontainer.json')];
  const all = devcontainerConfigs(folder);
  const first = all[0];
  if (first === undefined || fixed.includes(first)) return first;
  if (all.length > 1) {
    const names = all.map((file) => relative(folder, file)).join(', ');
    throw new InputError(
      'devcontainer',
      `${folder} has several dev container configurations (${names}): name one with --devcontainer FILE, or use --no-devcontainer.`,
    );
  }
  return first;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** Reads and parses one devcontainer.json (JSON with comments and trailing commas). */
export function readDevcontainerConfig(file: string): DevcontainerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError('devcontainer', `Cannot read ${file}: ${(err as Error).message}.`);
  }
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  const first = errors[0];
  if (first)
    throw new InputError(
      'devcontainer',
      `${file} is not valid JSON with comments: ${printParseErrorCode(first.error)} at ${lineAndColumn(text, first.offset)}.`,
    );
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('devcontainer', `${file} must hold one JSON object ({ … }).`);
  return { file, dir: dirname(file), raw: value as Record<string, unknown> };
}

const kind = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);

/** Type checks, so each mistake names the property and what it should be. */
export function expect<T>(config: DevcontainerConfig, property: string, ok: (value: unknown) => boolean, what: string): T | undefined {
  const value = config.raw[property];
  if (value === undefined) return undefined;
  if (!ok(value)) throw new InputError('devcontainer', `${property} in ${config.file} must be ${what} (it is ${kind(value)}).`);
  return value as T;
}

export const isString = (value: unknown): boolean => typeof value === 'string';
export const isStringMap = (value: unknown): boolean =>
  !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
export const isCommand = (value: unknown): boolean =>
  typeof value === 'string' ||
  (Array.isArray(value) && value.every((item) => typeof item === 'string')) ||
  (!!value &&
    typeof value === 'object' &&
    Object.values(value).every((item) => typeof item === 'string' || (Array.isArray(item) && item.every((part) => typeof part === 'string'))));
