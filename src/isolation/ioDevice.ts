/**
 * Which block device holds the engine's data (the box's root filesystem and its volumes), as
 * the engine's own side sees it: a remote engine's disk is not this machine's. A box's
 * /etc/hostname is a bind mount from the engine's data root, so its line of /proc/self/mountinfo
 * names that filesystem's device (MAJ:MIN), and /sys/dev/block/MAJ:MIN (the host's sysfs, read-only
 * in a container) says whether it is a partition of a disk. The engine's I/O caps take a whole
 * disk (a partition is refused at start: "no such device"), so a partition's disk is used.
 */

/** POSIX sh and `read` only: any image with a shell can run it. */
export const ioDeviceScript = [
  'while read -r id parent dev root mnt rest; do',
  '  if [ "$mnt" = /etc/hostname ]; then echo "dev $dev"; echo "source $rest"; break; fi',
  'done < /proc/self/mountinfo',
  'd=/sys/dev/block/$dev',
  '[ -e "$d/partition" ] && echo partition',
  '[ -r "$d/uevent" ] && while read -r line; do echo "uevent $line"; done < "$d/uevent"',
  '[ -e "$d/partition" ] && while read -r line; do echo "parent $line"; done < "$d/../uevent"',
  'true',
].join('\n');

export type IoDevice = { path: string; majorMinor: string } | { unavailable: string };

const field = (lines: string[], prefix: string, key: string): string | undefined =>
  lines.find((line) => line.startsWith(`${prefix} ${key}=`))?.slice(prefix.length + key.length + 2);

/** The device of the probe's output, or why there is none the caps could apply to. */
export function parseIoDevice(output: string): IoDevice {
  const lines = output.split('\n').map((line) => line.trim());
  const dev = lines.find((line) => line.startsWith('dev '))?.slice(4) ?? '';
  if (!/^\d+:\d+$/.test(dev)) return { unavailable: 'the engine did not show where its data lives (no /etc/hostname mount in the box)' };
  const source = (lines.find((line) => line.startsWith('source '))?.slice(7) ?? '').split(' - ')[1]?.split(' ') ?? [];
  if (dev.startsWith('0:')) {
    return { unavailable: `the engine keeps its data on ${source[0] ?? 'a filesystem'} (${source[1] ?? dev}), which has no block device to cap` };
  }
  const partition = lines.includes('partition');
  const name = partition ? field(lines, 'parent', 'DEVNAME') : field(lines, 'uevent', 'DEVNAME');
  const major = partition ? field(lines, 'parent', 'MAJOR') : field(lines, 'uevent', 'MAJOR');
  const minor = partition ? field(lines, 'parent', 'MINOR') : field(lines, 'uevent', 'MINOR');
  if (!name || major === undefined || minor === undefined) return { unavailable: `the engine's sysfs does not describe its data device ${dev}` };
  return { path: `/dev/${name}`, majorMinor: `${major}:${minor}` };
}
