import { EngineConnection } from '../engine/connection';
import { formatBytes } from '../engine/bytes';
import { imageLabel, LocalImage, shortImageId } from '../workspace/images';
import { pullImage } from '../workspace/pull';
import { describePullProgress, LayerPhase } from '../workspace/pullProgress';
import { UsageError } from './args';

export function imageRow(image: LocalImage): string[] {
  const created = image.createdAt.toISOString().replace('T', ' ').slice(0, 16);
  return [imageLabel(image), shortImageId(image.id), formatBytes(image.sizeBytes), created, image.usedBy.join(',')];
}

/**
 * `aicli-ws pull IMAGE`: a line on stderr whenever a layer changes phase (not on every byte),
 * the totals every few seconds, the result on stdout; Ctrl+C cancels and leaves no image.
 */
export async function pullCommand(connection: EngineConnection, reference: string | undefined, json: boolean): Promise<number> {
  if (!reference) throw new UsageError('pull needs an image, e.g. pull busybox:latest');
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort();
  process.once('SIGINT', onInterrupt);
  const phases = new Map<string, LayerPhase>();
  let lastTotalsAt = 0;
  try {
    const result = await pullImage(
      connection,
      reference,
      (progress) => {
        for (const layer of progress.layers) {
          if (phases.get(layer.id) === layer.phase) continue;
          phases.set(layer.id, layer.phase);
          console.error(`${layer.id.slice(0, 12)}: ${layer.status}`);
        }
        if (Date.now() - lastTotalsAt > 2000) {
          lastTotalsAt = Date.now();
          console.error(`  ${Math.round(progress.fraction * 100)}% · ${describePullProgress(progress)}`);
        }
      },
      abort.signal,
    );
    console.log(json ? JSON.stringify(result, null, 2) : `Pulled ${result.reference} (${shortImageId(result.imageId)})`);
    return 0;
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    console.error(`Cancelled: ${reference} was not pulled.`);
    return 130;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
