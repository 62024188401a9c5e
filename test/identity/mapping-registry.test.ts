import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { MappingRegistry, type ClaimMapping } from '../../src/identity/index.js';

const GOOD = 'version: 1\nclients:\n  library:\n    claims: [given_name]\n';
const BETTER = 'version: 1\nclients:\n  library:\n    claims: [given_name, name]\n';
const BROKEN = 'version: 1\nclients:\n  library:\n    claims: [given_name, shoe_size]\n';

describe('MappingRegistry', () => {
  let dir: string;
  let file: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eid-idp-mapping-'));
    file = path.join(dir, 'claim-mapping.yaml');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the built-in profiles when no file is configured', () => {
    const registry = new MappingRegistry();
    assert.equal(registry.current.file, undefined);
    assert.equal(registry.current.profiles.length, 9);
    assert.deepEqual(registry.reload().ok, true);
  });

  it('refuses to start on a broken file, naming file, line and setting', async () => {
    await writeFile(file, BROKEN);
    assert.throws(
      () => new MappingRegistry({ file }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.file === file &&
        error.line === 4 &&
        error.setting === 'clients.library.claims[1]',
    );
  });

  it('takes a good edit on reload()', async () => {
    await writeFile(file, GOOD);
    const registry = new MappingRegistry({ file });
    await writeFile(file, BETTER);
    const result = registry.reload();
    assert.equal(result.ok, true);
    assert.deepEqual([...registry.current.clients.get('library')!], ['given_name', 'name']);
  });

  it('keeps the last good mapping when the new file is broken, and reports why', async () => {
    await writeFile(file, GOOD);
    const reported: ConfigError[] = [];
    const registry = new MappingRegistry({ file, onError: (error) => reported.push(error) });
    const before = registry.current;

    await writeFile(file, BROKEN);
    const result = registry.reload();

    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error.setting === 'clients.library.claims[1]');
    assert.equal(registry.current, before);
    assert.equal(reported.length, 1);
    assert.equal(reported[0]!.line, 4);
    assert.deepEqual([...registry.current.clients.get('library')!], ['given_name']);
  });

  it('reloads by itself when the file is replaced, and ignores a broken replacement', async () => {
    await writeFile(file, GOOD);
    let reloaded: (mapping: ClaimMapping) => void = () => {};
    let refused: (error: ConfigError) => void = () => {};
    const registry = new MappingRegistry({
      file,
      watchDebounceMs: 20,
      onReload: (mapping) => reloaded(mapping),
      onError: (error) => refused(error),
    });
    registry.watch();
    try {
      // Replace by rename, as editors and configuration tools do.
      const nextReload = new Promise<ClaimMapping>((resolve) => (reloaded = resolve));
      await writeFile(`${file}.tmp`, BETTER);
      await rename(`${file}.tmp`, file);
      const mapping = await nextReload;
      assert.deepEqual([...mapping.clients.get('library')!], ['given_name', 'name']);

      const nextError = new Promise<ConfigError>((resolve) => (refused = resolve));
      await writeFile(file, BROKEN);
      const error = await nextError;
      assert.equal(error.setting, 'clients.library.claims[1]');
      assert.deepEqual([...registry.current.clients.get('library')!], ['given_name', 'name']);
    } finally {
      registry.close();
    }
  });
});
