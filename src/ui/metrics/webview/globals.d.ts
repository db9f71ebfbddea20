/** The webview's side of postMessage and its saved state (VS Code defines it in every webview). */
declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
};

/** Styles imported by the script: esbuild writes them to dist/metrics-webview.css. */
declare module '*.css';
