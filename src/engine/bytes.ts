/**
 * The one way a byte count becomes text, in binary units (2^10, 2^20, 2^30 labelled KiB, MiB,
 * GiB). Binary because the sizes users set are binary: `--memory 512m` and
 * aicli.resources.memory mean 512 MiB, and the engine reports limits and usage in bytes of them,
 * so the ticker, the tree, the policy document, the Images view, cleanup and pull all read in
 * the unit the limit was written in. Lives in engine/ (the bottom layer, no vscode) so every
 * layer that shows a size — engine reports, workspace images and pulls, the monitor, the CLI and
 * the UI — can import it.
 */
const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

const counted = (bytes: number): number => (Number.isFinite(bytes) && bytes > 0 ? bytes : 0);

/**
 * "4.8 MiB", "512 MiB", "1.5 GiB", "24 GiB": one decimal below 10 of the unit, none from 10 up.
 * Several values share the largest one's unit and decimals, "380/512 MiB" or "0.4/1.5 GiB", so a
 * used/limit or downloaded/total pair reads against each other.
 */
export function formatBytes(...values: [number, ...number[]]): string {
  const largest = Math.max(...values.map(counted));
  let exponent = 0;
  while (exponent < units.length - 1 && largest >= 1024 ** (exponent + 1)) exponent++;
  const scale = 1024 ** exponent;
  const decimals = exponent > 0 && largest / scale < 10 ? 1 : 0;
  return `${values.map((value) => (counted(value) / scale).toFixed(decimals)).join('/')} ${units[exponent]}`;
}
