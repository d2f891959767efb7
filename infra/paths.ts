import { resolve } from 'node:path';

/** The repository root: CDK resolves function entries, the lock file and the ASL from here. */
export const REPO_ROOT = resolve(import.meta.dirname, '..');

/** Absolute path of a repo-relative path such as `functions/webhook/handler.ts`. */
export function repoPath(relativePath: string): string {
  return resolve(REPO_ROOT, relativePath);
}
