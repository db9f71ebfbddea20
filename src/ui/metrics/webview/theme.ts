import { ChartColor, chartColors, withAlpha } from '../chartSpecs';

/** The colours and font of the graphs, from the CSS variables VS Code sets on the webview. */
export interface Theme {
  foreground: string;
  grid: string;
  font: string;
  colors: Record<ChartColor, string>;
  /** A key that changes when any of it does: the charts are built again then. */
  key: string;
}

const fallbacks: Record<ChartColor, string> = {
  blue: '#3794ff',
  red: '#f14c4c',
  green: '#89d185',
  yellow: '#cca700',
  orange: '#d18616',
  purple: '#b180d7',
};

export function readTheme(): Theme {
  const style = getComputedStyle(document.documentElement);
  const variable = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const foreground = variable('--vscode-editor-foreground', variable('--vscode-foreground', '#cccccc'));
  const colors = Object.fromEntries(chartColors.map((color) => [color, variable(`--vscode-charts-${color}`, fallbacks[color])])) as Record<ChartColor, string>;
  const font = `${variable('--vscode-font-size', '13px')} ${variable('--vscode-font-family', 'sans-serif')}`;
  const grid = withAlpha(variable('--vscode-charts-lines', foreground), 0.18);
  return { foreground, grid, font, colors, key: JSON.stringify([foreground, grid, font, colors]) };
}

/** Calls back when VS Code changes the theme (it rewrites the body's class and the variables). */
export function onThemeChange(callback: () => void): void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
