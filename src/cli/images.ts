import { formatBytes } from '../engine/bytes';
import { imageLabel, LocalImage, shortImageId } from '../workspace/images';

export function imageRow(image: LocalImage): string[] {
  const created = image.createdAt.toISOString().replace('T', ' ').slice(0, 16);
  return [imageLabel(image), shortImageId(image.id), formatBytes(image.sizeBytes), created, image.usedBy.join(',')];
}
