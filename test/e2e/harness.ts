// Public API of the e2e harness: code-server + headless Chromium + extension host test runs.
export { startCodeServer, defaultSettings } from './lib/codeServer';
export type { CodeServer, CodeServerOptions, Payload } from './lib/codeServer';
export { openWorkbenchSession } from './lib/session';
export type { WorkbenchSession } from './lib/session';
export { launchBrowser, newPage, chromiumPath, viewport } from './lib/browser';
export {
  openWorkbench,
  openAicliView,
  runPalette,
  screenshot,
  activityBarTab,
  aicliViewContainer,
  widenSidebar,
  CONTAINER_TITLE,
  VIEW_CONTAINER_ID,
} from './lib/workbench';
export { runExtensionHostTests, RESULTS_ENV } from './lib/hostTests';
export type { HostTestOptions, HostTestResults, TestFailure } from './lib/hostTests';
export { repoRoot, mediaDir, makeTempDir, removeDir, e2eReadme } from './lib/paths';
