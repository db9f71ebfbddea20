import { EngineError } from '../engine/errors';

/**
 * The disk limit of a box: its writable layer, as the engine's storage driver can size it
 * (`StorageOpt.size`): overlay2 on xfs mounted with project quotas (pquota), btrfs (qgroups),
 * zfs. Nothing in /info says whether a driver can (btrfs and overlay2 look the same with and
 * without quotas), so the first create on an engine asks for it and learns from the answer;
 * an engine that refuses is remembered for this process and the limit is said not enforced.
 * The workspace's volumes (the review view, a copy) are not part of the layer: they can grow
 * to the engine's disk (the README says so); on btrfs the limit counts the image's own bytes.
 */

/** Engines (by host) whose storage driver refused a size, with its words. */
const unsupported = new Map<string, string>();

/** The engine's refusals of a size option (dockerd 20.10's overlay2, other drivers, Podman). */
const refusal = /storage-opt is supported only|Storage option .* not supported|not supported.*(storage|size)|quota.*not (supported|enabled)|no quota support/i;

export function refusedDiskLimit(host: string): string | undefined {
  return unsupported.get(host);
}

export function diskStorageOpt(diskBytes: number, host: string): Record<string, string> | undefined {
  return diskBytes > 0 && !unsupported.has(host) ? { size: String(diskBytes) } : undefined;
}

/**
 * Creates the box with its disk limit; when the engine's storage driver cannot size a layer,
 * creates it again without one and says so in `notes`. A limit below what the image already
 * takes (btrfs) is the user's input to fix, not the engine's lack.
 */
export async function createWithDiskLimit<T>(
  host: string,
  diskBytes: number,
  notes: string[],
  create: (storageOpt: Record<string, string> | undefined) => Promise<T>,
): Promise<T> {
  const storageOpt = diskStorageOpt(diskBytes, host);
  const known = unsupported.get(host);
  if (diskBytes > 0 && known) notes.push(disklessNote(known));
  try {
    return await create(storageOpt);
  } catch (err) {
    const text = String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message);
    if (storageOpt && /limit qgroup|disk quota exceeded/i.test(text)) {
      throw new EngineError(
        'engine',
        `The disk limit (aicli.resources.disk) is smaller than what the image already takes on the engine at ${host} (${text}).`,
        'Raise aicli.resources.disk (for example to 2g) or use a smaller image.',
      );
    }
    if (!storageOpt || !refusal.test(text)) throw err;
    unsupported.set(host, text);
    notes.push(disklessNote(text));
    return create(undefined);
  }
}

export function disklessNote(reason: string): string {
  return `The disk limit (aicli.resources.disk) is not enforced: the engine's storage driver cannot size a container (${reason}). overlay2 can on xfs mounted with pquota, as can btrfs and zfs.`;
}
