// Bundles the extension (vscode stays external: the host provides it) and the CLI. The CLI
// starts once per command, so what it compiles at start counts: ssh2 (more than half of its
// bundle) goes into dist/cli-ssh.js beside it, loaded on the first ssh:// connection only, and
// the MCP server (SDK, zod) into dist/cli-mcp.js, loaded by `aicli-ws mcp` only. The graphs
// webview is a browser bundle of its own, dist/metrics-webview.js and .css.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const production = process.argv.includes('--production');
const uplotVersion = JSON.parse(await readFile(resolve(import.meta.dirname, '..', 'node_modules', 'uplot', 'package.json'), 'utf8')).version;
/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // The version MCP clients see (src/cli/commands/mcp.ts).
  define: { AICLI_VERSION: JSON.stringify(JSON.parse(await readFile(resolve(import.meta.dirname, '..', 'package.json'), 'utf8')).version) },
  // ssh2 optionally loads native crypto bindings; docker-modem falls back without them.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  // jsonc-parser's UMD main requires its parts at run time, which a bundle cannot follow; its ES module build bundles.
  alias: { 'jsonc-parser': resolve(import.meta.dirname, '..', 'node_modules', 'jsonc-parser', 'lib', 'esm', 'main.js') },
  plugins: [
    {
      name: 'lighter-dockerode',
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /^\.\/session$/ }, (args) =>
          args.importer.includes('dockerode') ? { path: resolve(import.meta.dirname, 'bundle', 'no-buildkit-session.js') } : undefined,
        );
        pluginBuild.onResolve({ filter: /^\.\/buildkit$/ }, (args) =>
          /dockerode[\\/]lib[\\/]docker\.js$/.test(args.importer) ? { path: resolve(import.meta.dirname, 'bundle', 'no-buildkit-progress.js') } : undefined,
        );
        pluginBuild.onResolve({ filter: /^\.\/ssh$/ }, (args) =>
          /docker-modem[\\/]lib[\\/]modem\.js$/.test(args.importer) ? { path: resolve(import.meta.dirname, 'bundle', 'lazy-ssh.js') } : undefined,
        );
      },
    },
  ],
};

/**
 * docker-modem formats every request's options with util.inspect (showHidden, unlimited depth)
 * for a debug line that is off unless DEBUG=modem: a few hundred microseconds per engine call,
 * on the path of every one. Formatted only when that debug output is on.
 */
/** @type {import('esbuild').Plugin} */
const quietModem = {
  name: 'quiet-modem',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /docker-modem[\\/]lib[\\/]modem\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const call = "debug('Sending: %s', util.inspect(options, {";
      if (!source.includes(call)) throw new Error(`quiet-modem: ${args.path} no longer has the debug line it guards; check the plugin`);
      return { contents: source.replace(call, `if (debug.enabled) ${call}`), loader: 'js' };
    });
  },
};

/** In the CLI, lazy-ssh.js requires the separate dist/cli-ssh.js instead of a bundled copy. */
/** @type {import('esbuild').Plugin} */
const sshOutside = {
  name: 'ssh-outside',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^docker-modem\/lib\/ssh\.js$/ }, (args) =>
      args.importer.endsWith('lazy-ssh.js') ? { path: './cli-ssh.js', external: true } : undefined,
    );
  },
};

/** In the CLI, the mcp verb imports dist/cli-mcp.js (its own bundle) instead of a bundled copy. */
/** @type {import('esbuild').Plugin} */
const mcpOutside = {
  name: 'mcp-outside',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/\.\.\/mcp\/main$/ }, (args) =>
      /cli[\\/]commands[\\/]mcp\.ts$/.test(args.importer) ? { path: './cli-mcp.js', external: true } : undefined,
    );
  },
};

await Promise.all([
  build({ ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' }),
  build({
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [...(common.plugins ?? []), quietModem, sshOutside, mcpOutside],
  }),
  build({ ...common, entryPoints: ['src/mcp/main.ts'], outfile: 'dist/cli-mcp.js', plugins: [...(common.plugins ?? []), quietModem, sshOutside] }),
  build({ ...common, entryPoints: ['node_modules/docker-modem/lib/ssh.js'], outfile: 'dist/cli-ssh.js' }),
  // The graphs webview (uPlot and its sheet included): loaded from dist/ by the panel, never from a CDN.
  // uPlot's copyright header is not a legal comment esbuild keeps, so its notice goes in as a banner.
  build({
    banner: { js: `/*! uPlot ${uplotVersion} (c) Leon Sorokin, MIT License, https://github.com/leeoniya/uPlot */` },
    entryPoints: ['src/ui/metrics/webview/main.ts'],
    outfile: 'dist/metrics-webview.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);
