import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the repository: fixtures are read from there, never copied in. */
export const SHARED_DIR = path.resolve(REPO_ROOT, '..', 'shared');
export const EID_FIXTURES_DIR = path.join(SHARED_DIR, 'fixtures', 'eid-certs');
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test', '.artifacts');
