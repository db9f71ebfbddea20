// One code-server + Chromium session on a fresh project folder: what every UI test starts with.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage } from './browser';
import { CodeServer, CodeServerOptions, startCodeServer } from './codeServer';
import { e2eReadme, makeTempDir, removeDir } from './paths';
import { openWorkbench } from './workbench';

export interface WorkbenchSession {
  folder: string;
  server: CodeServer;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Starts code-server on a new folder (with a README), opens it in Chromium; close() undoes all of it. */
export async function openWorkbenchSession(
  options: Omit<CodeServerOptions, 'workspaceFolder'> & {
    readme?: string;
    /** Runs on the new folder before code-server starts (e.g. create a workspace for it). */
    prepare?: (folder: string) => void;
  } = {},
): Promise<WorkbenchSession> {
  const folder = makeTempDir('acw-', { readme: options.readme ?? e2eReadme });
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await server?.stop();
    removeDir(folder);
  };
  try {
    options.prepare?.(folder);
    server = await startCodeServer({
      env: options.env,
      settings: options.settings,
      extensionDevelopmentPath: options.extensionDevelopmentPath,
      extensions: options.extensions,
      workspaceFolder: folder,
    });
    browser = await launchBrowser();
    const page = await newPage(browser);
    await openWorkbench(page, server, folder);
    return { folder, server, browser, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
