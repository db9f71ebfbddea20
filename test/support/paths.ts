// Where the repository and its built CLI are. Compiled to out/test/support/, so the root is three levels up.
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
/** The bundled CLI (node scripts/build.mjs). */
export const cliPath = join(repoRoot, 'dist', 'cli.js');
