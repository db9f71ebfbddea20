/**
 * Every command the extension registers, by area. package.json's contributes.commands is
 * checked against this table by test/unit/commandIds.test.ts, and the kernel registers
 * nothing else, so a command can neither be declared and missing nor registered and hidden.
 */
export const commandIds = {
  workspace: [
    'aicli.createWorkspace',
    'aicli.startWorkspace',
    'aicli.stopWorkspace',
    'aicli.restartWorkspace',
    'aicli.pauseWorkspace',
    'aicli.unpauseWorkspace',
    'aicli.removeWorkspace',
    'aicli.openTerminal',
    'aicli.openRootTerminal',
    'aicli.runCommand',
    'aicli.showLogs',
    'aicli.stopFollowingLogs',
    'aicli.showPolicy',
    'aicli.inspectWorkspace',
    'aicli.copyWorkspaceId',
    'aicli.openPortInBrowser',
    'aicli.allowEgressHost',
    'aicli.showMetrics',
  ],
  engine: ['aicli.showEngineInfo', 'aicli.retryConnection', 'aicli.refresh', 'aicli.showLog', 'aicli.openSettings', 'aicli.ticker.pick', 'aicli.cleanup'],
  monitor: [
    'aicli.monitor.allowEgress',
    'aicli.monitor.raiseLimit',
    'aicli.monitor.pause',
    'aicli.monitor.stop',
    'aicli.monitor.copyUnfreezeCommand',
    'aicli.monitor.unfreezeInTerminal',
  ],
  changes: [
    'aicli.changes.apply',
    'aicli.changes.applyAll',
    'aicli.changes.discard',
    'aicli.changes.discardAll',
    'aicli.changes.refresh',
    'aicli.changes.openDiff',
  ],
  agent: ['aicli.copyMcpConfig'],
  audit: ['aicli.exportAuditTrail', 'aicli.showAuditTrail', 'aicli.security.refresh'],
  images: ['aicli.buildImage', 'aicli.pullImage', 'aicli.refreshImages', 'aicli.createWorkspaceFromImage', 'aicli.removeImage'],
} as const;

export type CommandId = (typeof commandIds)[keyof typeof commandIds][number];

export const allCommandIds: readonly CommandId[] = Object.values(commandIds).flat();
