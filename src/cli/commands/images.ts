import { imageRow } from '../images';
import { listing } from '../listing';

export const images = listing({
  name: 'images',
  description: 'Local images with size and the workspaces that use them',
  read: (scope) => scope.images.list(),
  json: (local) => local,
  columns: ['IMAGE', 'ID', 'SIZE', 'CREATED', 'USED BY'],
  row: imageRow,
});
