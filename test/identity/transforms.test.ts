import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyTransform, applyTransforms } from '../../src/identity/index.js';

describe('claim transforms', () => {
  it('title-cases words after spaces, hyphens and apostrophes, keeping accents', () => {
    assert.equal(
      applyTransform({ kind: 'titleCase' }, "ESPAÑOL-GARCÍA o'neill"),
      "Español-García O'Neill",
    );
    assert.equal(applyTransform({ kind: 'titleCase' }, 'JÕEORG'), 'Jõeorg');
  });

  it('splits a DNIe CN after dropping its role suffix', () => {
    const cn = 'ESPAÑOL ESPAÑOL, JUAN (AUTENTICACIÓN)';
    const part = (index: number) =>
      applyTransform({ kind: 'splitCn', separator: ',', part: index }, cn);
    assert.equal(part(0), 'ESPAÑOL ESPAÑOL');
    assert.equal(part(1), 'JUAN');
    assert.equal(part(2), undefined);
  });

  it('strips a prefix only when present and stops the chain once a part is missing', () => {
    assert.equal(applyTransform({ kind: 'stripPrefix', prefix: 'IDCES-' }, 'IDCES-1'), '1');
    assert.equal(applyTransform({ kind: 'stripPrefix', prefix: 'IDCES-' }, 'PNOEE-1'), 'PNOEE-1');
    assert.equal(
      applyTransforms([{ kind: 'splitCn', separator: ',', part: 3 }, { kind: 'trim' }], 'a,b'),
      undefined,
    );
  });

  it('nfc composes what a decomposed input spells and is idempotent', () => {
    assert.equal(applyTransform({ kind: 'nfc' }, 'N\u0303'), '\u00d1');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const once = applyTransform({ kind: 'nfc' }, text)!;
        assert.equal(applyTransform({ kind: 'nfc' }, once), once);
      }),
    );
  });
});
