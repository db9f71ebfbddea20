import * as vscode from 'vscode';

export interface SettingChoice {
  value: string;
  description: string;
}

interface ManifestProperty {
  enum?: unknown[];
  enumDescriptions?: unknown[];
}

/**
 * The values of an enum setting with the descriptions the Settings editor shows, read from this
 * extension's manifest: one table for both (a copy here would drift from package.json).
 */
export function settingChoices(key: string): SettingChoice[] {
  const manifest = vscode.extensions.getExtension('aicli.aicli-workspaces')?.packageJSON as
    { contributes?: { configuration?: { properties?: Record<string, ManifestProperty> } } } | undefined;
  const property = manifest?.contributes?.configuration?.properties?.[key];
  const values = (property?.enum ?? []).filter((value): value is string => typeof value === 'string');
  return values.map((value, index) => {
    const description = property?.enumDescriptions?.[index];
    return { value, description: typeof description === 'string' ? description : '' };
  });
}
