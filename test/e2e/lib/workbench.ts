// Workbench interactions that worked on code-server 4.100.3 (VS Code 1.100.3).
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { viewport } from './browser';
import { mediaDir } from './paths';

export const CONTAINER_TITLE = 'AICLI Workspaces';
export const VIEW_CONTAINER_ID = 'workbench.view.extension.aicli';

export async function openWorkbench(page: Page, server: CodeServer, folder = server.workspaceFolder): Promise<void> {
  await page.goto(server.url(folder));
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
}

export function activityBarTab(page: Page, title: string | RegExp = CONTAINER_TITLE): Locator {
  return page.locator('.part.activitybar').getByRole('tab', { name: title });
}

/** The sidebar pane of the AICLI view container (present once it has been opened). */
export function aicliViewContainer(page: Page): Locator {
  return page.locator(`.part.sidebar [id="${VIEW_CONTAINER_ID}"]`);
}

/** Opens the AICLI Workspaces container (without toggling it closed when it is already open). */
export async function openAicliView(page: Page): Promise<Locator> {
  const tab = activityBarTab(page);
  await tab.waitFor({ state: 'visible', timeout: 30_000 });
  const container = aicliViewContainer(page);
  if (!(await container.isVisible())) await tab.click();
  await container.waitFor({ state: 'visible', timeout: 15_000 });
  return container;
}

/** Runs a command from the palette by its exact label; throws when the palette does not list it. */
export async function runPalette(page: Page, label: string, timeout = 15_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  if (!(await input.isVisible())) {
    await page.locator('.monaco-workbench').press('F1');
    await input.waitFor({ state: 'visible', timeout });
  }
  await input.fill(`>${label}`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
  try {
    await row.waitFor({ state: 'visible', timeout });
  } catch {
    const shown = await page.locator('.quick-input-list .monaco-list-row .label-name').allInnerTexts();
    await page.keyboard.press('Escape');
    throw new Error(`Command palette has no "${label}" (shown: ${JSON.stringify(shown)})`);
  }
  await row.click();
  // The palette closes, or the command's own quick input takes its place at once (same widget).
  const typed = `>${label}`;
  const deadline = Date.now() + timeout;
  while ((await input.isVisible()) && (await input.inputValue().catch(() => '')) === typed) {
    if (Date.now() > deadline) throw new Error(`the palette stayed open on "${label}" for ${timeout} ms`);
    await page.waitForTimeout(50);
  }
}

/** Saves media/<name>.png at 1400×900 after letting toasts finish fading in. */
export async function screenshot(page: Page, name: string, dir = mediaDir): Promise<string> {
  const size = page.viewportSize();
  if (!size || size.width !== viewport.width || size.height !== viewport.height) await page.setViewportSize(viewport);
  await page.waitForTimeout(400);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Drags the sash right of the sidebar so rows show their descriptions in screenshots. */
export async function widenSidebar(page: Page, width = 620): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar || sidebar.width >= width) return;
  const edge = sidebar.x + sidebar.width;
  await page.mouse.move(edge + 1, sidebar.y + sidebar.height / 2);
  await page.mouse.down();
  await page.mouse.move(sidebar.x + width, sidebar.y + sidebar.height / 2, { steps: 8 });
  await page.mouse.up();
  // Park the pointer where it opens no hover.
  await page.mouse.move(sidebar.x + width + 200, sidebar.y + sidebar.height - 40);
}
