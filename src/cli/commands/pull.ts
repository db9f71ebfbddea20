import { shortImageId } from '../../workspace/images';
import { describePullProgress, LayerPhase, PullProgress } from '../../workspace/pullProgress';
import { UsageError } from '../args';
import { Command } from '../command';

/** A line on stderr whenever a layer changes phase (not on every byte), the totals every few seconds. */
function progressPrinter(): (progress: PullProgress) => void {
  const phases = new Map<string, LayerPhase>();
  let lastTotalsAt = 0;
  return (progress) => {
    for (const layer of progress.layers) {
      if (phases.get(layer.id) === layer.phase) continue;
      phases.set(layer.id, layer.phase);
      console.error(`${layer.id.slice(0, 12)}: ${layer.status}`);
    }
    if (Date.now() - lastTotalsAt > 2000) {
      lastTotalsAt = Date.now();
      console.error(`  ${Math.round(progress.fraction * 100)}% · ${describePullProgress(progress)}`);
    }
  };
}

export const pull: Command = {
  names: ['pull'],
  synopsis: ['IMAGE [--json]'],
  description: ["Pull an image; each layer's progress on stderr (Ctrl+C cancels)"],
  /** The result on stdout; Ctrl+C cancels and leaves no image. */
  async run({ args, scope, json }) {
    const reference = args.positional[1];
    if (!reference) throw new UsageError('pull needs an image, e.g. pull busybox:latest');
    const engine = await scope();
    const abort = new AbortController();
    const onInterrupt = (): void => abort.abort();
    process.once('SIGINT', onInterrupt);
    try {
      const result = await engine.images.pull(reference, progressPrinter(), abort.signal);
      console.log(json ? JSON.stringify(result, null, 2) : `Pulled ${result.reference} (${shortImageId(result.imageId)})`);
      return 0;
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      console.error(`Cancelled: ${reference} was not pulled.`);
      return 130;
    } finally {
      process.off('SIGINT', onInterrupt);
    }
  },
};
