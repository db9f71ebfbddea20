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

/**
 * What tells one quick-input step from the next, as an expression run in the page: its title
 * (with the step count), placeholder and prompt; empty while the widget is hidden.
 */
const quickInputStep = `(() => {
  const widget = document.querySelector('.quick-input-widget');
  if (!widget || getComputedStyle(widget).display === 'none') return '';
  const text = (selector) => widget.querySelector(selector)?.textContent ?? '';
  return [text('.quick-input-title'), widget.querySelector('input')?.getAttribute('placeholder') ?? '', text('.quick-input-message')].join('|');
})()`;

/** True once a pick's list has rows; an input box has no list. */
const quickInputListReady = `(() => {
  const list = document.querySelector('.quick-input-widget .quick-input-list');
  return !list || getComputedStyle(list).display === 'none' || list.querySelector('.monaco-list-row') !== null;
})()`;

/**
 * Answers the quick input (pick or input box) that is open now, and waits until it has moved on:
 * the widget hides or shows another step. Each step is a round trip to the extension host, so a
 * fixed pause is not enough on a loaded machine: the next answer would land in this step.
 */
export async function answerQuickInput(page: Page, value?: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  const step = await page.evaluate<string>(quickInputStep);
  if (value !== undefined) {
    await input.fill(value);
    // A pick offers a typed value as an item of its own once the extension host has seen it;
    // Enter on the still empty list takes nothing.
    await page.waitForFunction(quickInputListReady, undefined, { timeout: 10_000 });
  }
  await input.press('Enter');
  await page.waitForFunction(`${quickInputStep} !== ${JSON.stringify(step)}`, undefined, { timeout: 10_000 }).catch(() => {
    throw new Error(`the quick input stayed on "${step}" after Enter${value === undefined ? '' : ` with "${value}"`}`);
  });
}
