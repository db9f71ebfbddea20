// Plays the user at error notifications in the extension host. The tests share the extension's
// vscode API object (both load from the extension's folder), so the extension sees the answer.
import * as vscode from 'vscode';

export interface AnsweredErrors {
  /** Every error message shown, with the buttons it offered. */
  shown: { message: string; buttons: string[] }[];
  dispose(): void;
}

/** Each error notification is answered with `pick` when it offers that button, else dismissed. */
export function answerErrorMessages(pick?: string): AnsweredErrors {
  const original: unknown = Reflect.get(vscode.window, 'showErrorMessage');
  const shown: AnsweredErrors['shown'] = [];
  const prompt = (message: string, ...rest: unknown[]): Thenable<string | undefined> => {
    const buttons = rest.filter((item): item is string => typeof item === 'string');
    shown.push({ message, buttons });
    return Promise.resolve(pick !== undefined && buttons.includes(pick) ? pick : undefined);
  };
  if (!Reflect.set(vscode.window, 'showErrorMessage', prompt)) throw new Error('vscode.window.showErrorMessage cannot be replaced in this host');
  return { shown, dispose: () => Reflect.set(vscode.window, 'showErrorMessage', original) };
}
