/**
 * Which aicli.* settings only User settings may set. The workspace can write the project
 * folder, so its .vscode/settings.json (or a .code-workspace file) must never pick the engine
 * or an image, weaken isolation, or change limits, ports, egress, terminals, the monitor,
 * cleanup or the audit trail for the next workspace. package.json declares these keys with
 * `"scope": "application"` and lists them in restrictedConfigurations; a unit test holds both
 * copies to this table.
 *
 * A rule ending in "." covers every key under it, so a new setting there is user-only
 * unless someone moves it out on purpose.
 */
export const userOnlySettingRules: readonly string[] = [
  'aicli.docker.',
  'aicli.engines',
  'aicli.placement',
  'aicli.workspace.defaultImage',
  'aicli.workspace.mountDockerSocket',
  'aicli.workspace.labels',
  'aicli.workspace.protectedPaths',
  'aicli.workspace.projectMount',
  'aicli.isolation.',
  'aicli.resources.',
  'aicli.network.',
  'aicli.terminal.',
  'aicli.monitor.',
  'aicli.cleanup.',
  // The box must not keep itself running (nor stop its neighbours).
  'aicli.lifetime.',
  // The box must not switch off the record of what it did.
  'aicli.audit.',
];

/** Settings that only change what this window shows: a folder may still set them. */
export const displayOnlySettingRules: readonly string[] = [
  'aicli.tree.showOtherContainers',
  'aicli.logs.',
  'aicli.statusBar.',
  'aicli.workspace.healthTimeout',
];

function matches(rules: readonly string[], key: string): boolean {
  return rules.some((rule) => (rule.endsWith('.') ? key.startsWith(rule) && key.length > rule.length : key === rule));
}

export function isUserOnlySetting(key: string): boolean {
  return matches(userOnlySettingRules, key);
}

export function isDisplayOnlySetting(key: string): boolean {
  return matches(displayOnlySettingRules, key);
}

/**
 * The user-only keys a settings object sets. VS Code accepts both `"aicli.isolation.level": …`
 * and nested objects (`"aicli": { "isolation": { "level": … } }`), so both are walked; a
 * language section (`"[python]": {…}`) is skipped, since our settings are never read per language.
 */
export function userOnlyKeysIn(settings: unknown): string[] {
  return [...new Set(keysBelow(settings, ''))];
}

function keysBelow(settings: unknown, prefix: string): string[] {
  if (!isPlainObject(settings)) return [];
  return Object.entries(settings).flatMap(([name, value]) => {
    if (!prefix && name.startsWith('[')) return [];
    const key = prefix ? `${prefix}.${name}` : name;
    if (isUserOnlySetting(key)) return [key];
    // Only descend where a user-only key could still be below.
    return key === 'aicli' || key.startsWith('aicli.') ? keysBelow(value, key) : [];
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
