import { InputError } from '../engine/errors';
import { IsolationLevel, isStrictLevel } from './levels';

/** What the engine's /info says about user namespaces (engine/report.ts: securityFeatures). */
export interface UserNamespaceFacts {
  /** userns-remap: root in a box is an unprivileged uid of the host (100000 + …). */
  userns: boolean;
  /** The engine itself runs as an ordinary user. */
  rootless: boolean;
}

export const remapped = (facts: UserNamespaceFacts): boolean => facts.userns || facts.rootless;

/**
 * aicli.isolation.requireUserNamespace: strict and sandboxed workspaces only on an engine whose
 * root is not the host's root. Without remapping, root in a box is uid 0 of the host kernel
 * (capabilities dropped, but a kernel bug or a mistake in a mount gives it all).
 */
export function checkUserNamespace(level: IsolationLevel, required: boolean, facts: UserNamespaceFacts, host: string): void {
  if (!required || !isStrictLevel(level) || remapped(facts)) return;
  throw new InputError(
    'requireUserNamespace',
    `The ${level} level requires user namespaces here (aicli.isolation.requireUserNamespace), and the engine at ${host} runs without them: root in the box would be root of the host kernel. ` +
      'Start the engine with --userns-remap=default (or use a rootless engine), or turn the setting off.',
  );
}

/**
 * Under remapping the box's users are shifted (uid 1000 in the box is 101000 on the host): it can
 * neither write a bind-mounted folder of yours nor the review view layered on it. Only a copy
 * works, whose files the engine maps into the box's range.
 */
export function remappedMountRefusal(mode: string, host: string): InputError {
  return new InputError(
    'projectMount',
    `The engine at ${host} remaps user namespaces: the box's users are not yours on the host (uid 1000 in the box is another uid there), so it cannot write your folder through "${mode}". Use copy (or auto, which picks it here).`,
  );
}
