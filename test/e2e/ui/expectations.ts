// What "Show Engine Info worked" looks like in the UI. Tweak here when the command's output changes.
import type { Locator, Page } from 'playwright-core';

/**
 * "AICLI: Show Engine Info" worked when the read-only report opens as an editor tab
 * "Docker Engine.txt" and its text names the engine version. The tests always run with an
 * engine (npm test ensures one), so an error toast is a failure here.
 */
export const ENGINE_INFO_TAB = /Docker Engine\.txt/;

export function engineInfoOutcome(page: Page): Locator {
  return page.locator('.part.editor .tabs-container .tab').filter({ hasText: ENGINE_INFO_TAB }).first();
}

/** Waits for the report tab and returns the editor's visible text for further assertions. */
export async function expectEngineInfoShown(page: Page, timeout = 15_000): Promise<string> {
  const outcome = engineInfoOutcome(page);
  try {
    await outcome.waitFor({ state: 'visible', timeout });
  } catch {
    const toasts = await page.locator('.notifications-toasts').allInnerTexts();
    const tabs = await page.locator('.part.editor .tabs-container .tab').allInnerTexts();
    throw new Error(`No engine info within ${timeout} ms; toasts: ${JSON.stringify(toasts)}, tabs: ${JSON.stringify(tabs)}`);
  }
  // The editor renders spaces as U+00A0; normalise before matching.
  const lines = page.locator('.part.editor .view-lines').first();
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = (await lines.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
    if (/Engine +Docker \d+/.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`The engine report did not show the engine version within ${timeout} ms; editor text: ${JSON.stringify(text.slice(0, 300))}`);
}
