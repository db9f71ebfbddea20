/**
 * The one place the managed-label filter is written. Every list of managed things (containers,
 * images, networks, volumes) asks the engine for it, so unmanaged resources never reach the
 * code that could remove them.
 */

/** Shared with the aicli Go tools (workspace/model.ts `labels.managed` is the same key). */
export const managedLabel = 'aicli.managed';

/**
 * Which resources a list asks for, by their aicli.managed label: `workspace` carries "true"
 * (workspaces, and the networks, volumes and images made for them), `gateway` "gateway" (a
 * workspace's egress gateway), `managed` either value, and `any` asks without the label:
 * everything on the engine, managed or not.
 */
export type ManagedKind = 'workspace' | 'gateway' | 'managed' | 'any';

const managedValue: Record<ManagedKind, string | undefined> = { workspace: 'true', gateway: 'gateway', managed: '', any: undefined };

/** The `label` filter: the managed label for `kind` (default `workspace`), then `extra` as key=value. */
export function labelFilter(kind: ManagedKind = 'workspace', extra: Record<string, string> = {}): string[] {
  const value = managedValue[kind];
  const managed = value === undefined ? [] : [value ? `${managedLabel}=${value}` : managedLabel];
  return [...managed, ...Object.entries(extra).map(([key, value]) => `${key}=${value}`)];
}

/** The engine's `filters` query parameter, with empty filters left out. */
export function filtersParameter(filters: Record<string, string[] | undefined>): string | undefined {
  const present = Object.entries(filters).filter((entry): entry is [string, string[]] => (entry[1]?.length ?? 0) > 0);
  return present.length ? JSON.stringify(Object.fromEntries(present)) : undefined;
}
