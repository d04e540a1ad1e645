/** Which registry an image name lives on, as Docker reads a reference. */
import { DOCKER_HUB } from '../inputs/login.js';

/** `ghcr.io/o/app` → `ghcr.io`; `localhost:5000/app` → `localhost:5000`; `library/alpine`, `alpine` → `docker.io`. */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return first === 'index.docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
  }
  return DOCKER_HUB;
}

/** The distinct registries of a list of images, in first-seen order. */
export function registriesOf(images: readonly string[]): string[] {
  return [...new Set(images.map(registryOf))];
}
