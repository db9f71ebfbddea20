// Bundles the extension (vscode stays external: the host provides it) and the CLI.
import { build } from 'esbuild';
import { resolve } from 'node:path';

const production = process.argv.includes('--production');
/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2 optionally loads native crypto bindings; docker-modem falls back without them.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  plugins: [
    {
      name: 'lighter-dockerode',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /^\.\/session$/ }, (args) =>
          args.importer.includes('dockerode') ? { path: resolve(import.meta.dirname, 'bundle', 'no-buildkit-session.js') } : undefined,
        );
        pluginBuild.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
          /docker-modem[\\/]lib[\\/]modem\.js$/.test(args.importer) ? { path: resolve(import.meta.dirname, 'bundle', 'lazy-ssh.js') } : undefined,
        );
      },
    },
  ],
};

await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
]);
