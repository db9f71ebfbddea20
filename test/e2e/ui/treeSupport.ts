// Helpers for UI tests of the Workspaces tree: rows by accessible name, context menus, labels.
import type { Locator, Page } from 'playwright-core';
import { inheritedRunId, runLabels } from '../../support/labels';

export const uiRunId = inheritedRunId('ui');
export const uiLabels = runLabels(uiRunId);

/** A workspace row; its accessible name is "<name>, <state>, <level>, <image>". */
export function workspaceRow(page: Page, name: string, state?: string): Locator {
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, ${state ?? '[a-z]+'}`);
  return page.locator('.part.sidebar').getByRole('treeitem', { name: pattern });
}

export async function contextMenu(page: Page, row: Locator, item: string): Promise<void> {
  await row.click({ button: 'right' });
  const entry = page.locator('.context-view .action-label', { hasText: new RegExp(`^${item}$`) });
  await entry.waitFor({ state: 'visible', timeout: 10_000 });
  // The menu ignores a click that lands while it is still opening; hover, settle, then click.
  await entry.hover();
  await page.waitForTimeout(200);
  await entry.click();
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'detached', timeout: 5000 });
}

/** Answers the quick input (pick or input box) that is open now. */
export async function answerQuickInput(page: Page, value?: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  if (value !== undefined) await input.fill(value);
  await input.press('Enter');
  // The next step replaces the widget's content; give it a moment to swap.
  await page.waitForTimeout(250);
}
