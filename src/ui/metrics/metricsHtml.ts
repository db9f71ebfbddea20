import { randomBytes } from 'node:crypto';

export interface MetricsHtmlParts {
  /** webview.cspSource: where the panel's script and styles may come from (the extension's dist folder). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  title: string;
  nonce?: string;
}

/**
 * The Content-Security-Policy of the graphs: nothing by default; the one bundled script by its
 * nonce; styles only from the extension (uPlot sets its sizes through the CSSOM, which style-src
 * does not govern, so no 'unsafe-inline'); no network, no frames, no eval.
 */
export function metricsCsp(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `font-src ${cspSource}`, `img-src ${cspSource}`].join('; ');
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** The panel's page: a header with the range switch and a state line, then a chart per row of chartSpecs (drawn by the script). */
export function metricsHtml(parts: MetricsHtmlParts): string {
  const nonce = parts.nonce ?? newNonce();
  const title = escapeHtml(parts.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${metricsCsp(parts.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${parts.styleUri}">
<title>${title}</title>
</head>
<body>
<header>
  <h1>${title}</h1>
  <div class="ranges" role="group" aria-label="Range">
    <button type="button" data-range="1h">1 h</button>
    <button type="button" data-range="24h">24 h</button>
    <button type="button" data-range="7d">7 d</button>
  </div>
  <span class="status" role="status" aria-live="polite"></span>
</header>
<main class="charts"></main>
<script nonce="${nonce}" src="${parts.scriptUri}"></script>
</body>
</html>`;
}
