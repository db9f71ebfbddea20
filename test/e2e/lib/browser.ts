// Headless Debian Chromium through playwright-core, writing nothing to $HOME.
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeTempDir, removeDir } from './paths';

export const chromiumPath = process.env.AICLI_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const viewport = { width: 1400, height: 900 };

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  const home = makeTempDir('acb-');
  try {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      // Without these Chromium creates ~/.config/chromium/Crash Reports and ~/.cache/dconf.
      env: { ...process.env, XDG_CONFIG_HOME: home, XDG_CACHE_HOME: home },
    });
    browser.once('disconnected', () => removeDir(home));
    return browser;
  } catch (err) {
    removeDir(home);
    throw err;
  }
}

/** A page at the size screenshots are taken at. */
export async function newPage(browser: Browser): Promise<Page> {
  return browser.newPage({ viewport });
}
