/** A minimal typed event emitter for the core, which cannot use vscode.EventEmitter. */
export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private listeners = new Set<Listener<T>>();

  /** Subscribe; call dispose() on the result to unsubscribe. */
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // One broken consumer must not stop the others from hearing about engine changes.
        console.error('listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
