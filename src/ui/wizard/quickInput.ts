import * as vscode from 'vscode';

/** The user pressed the Back button (or Escape would have cancelled: undefined). */
export const back = Symbol('back');
export type StepAnswer<T> = T | typeof back | undefined;

interface StepFrame {
  title: string;
  /** "2/5" in the title bar; omitted for an edit reached from the summary. */
  step?: { index: number; total: number };
  /** Shows the Back button. */
  canGoBack: boolean;
}

function frame(input: vscode.QuickInput, options: StepFrame): void {
  input.title = options.title;
  if (options.step) {
    input.step = options.step.index;
    input.totalSteps = options.step.total;
  }
  input.ignoreFocusOut = true;
}

type WithButtons = vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[]; onDidTriggerButton: vscode.Event<vscode.QuickInputButton> };

/** Runs one quick input until it is accepted, sent back, or hidden; disposes it either way. */
function settle<T>(input: WithButtons, canGoBack: boolean, wire: (done: (answer: StepAnswer<T>) => void) => vscode.Disposable[]): Promise<StepAnswer<T>> {
  return new Promise((resolve) => {
    let finished = false;
    const subscriptions: vscode.Disposable[] = [];
    const done = (answer: StepAnswer<T>): void => {
      if (finished) return;
      finished = true;
      subscriptions.forEach((subscription) => subscription.dispose());
      input.dispose();
      resolve(answer);
    };
    input.buttons = canGoBack ? [vscode.QuickInputButtons.Back] : [];
    subscriptions.push(
      input.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) done(back);
      }),
      input.onDidHide(() => done(undefined)),
      ...wire(done),
    );
    input.show();
  });
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepFrame {
  items: readonly T[];
  placeholder?: string;
  active?: T;
  /** Offers what the user typed as an item of its own when no item has that label. */
  typed?: (value: string) => T | undefined;
}

export function pickStep<T extends vscode.QuickPickItem>(options: PickStep<T>): Promise<StepAnswer<T>> {
  const pick = vscode.window.createQuickPick<T>();
  frame(pick, options);
  pick.placeholder = options.placeholder;
  pick.items = options.items;
  if (options.active) pick.activeItems = [options.active];
  return settle<T>(pick, options.canGoBack, (done) => [
    pick.onDidChangeValue((value) => {
      if (!options.typed) return;
      const own = value.trim() && !options.items.some((item) => item.label === value.trim()) ? options.typed(value.trim()) : undefined;
      pick.items = own ? [own, ...options.items] : options.items;
    }),
    pick.onDidAccept(() => {
      const [chosen] = pick.selectedItems.length ? pick.selectedItems : pick.activeItems;
      if (chosen) done(chosen);
    }),
  ]);
}

export interface InputStep extends StepFrame {
  value: string;
  prompt?: string;
  placeholder?: string;
  /** The message shown under the box while the value is wrong (the core's own wording). */
  validate(value: string): string | undefined;
}

export function inputStep(options: InputStep): Promise<StepAnswer<string>> {
  const box = vscode.window.createInputBox();
  frame(box, options);
  box.value = options.value;
  box.prompt = options.prompt;
  box.placeholder = options.placeholder;
  box.validationMessage = options.validate(options.value);
  return settle<string>(box, options.canGoBack, (done) => [
    box.onDidChangeValue((value) => (box.validationMessage = options.validate(value))),
    box.onDidAccept(() => {
      const message = options.validate(box.value);
      box.validationMessage = message;
      if (!message) done(box.value);
    }),
  ]);
}

/** The message of what a core check throws, for a validation line (undefined: the value is fine). */
export function messageOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
