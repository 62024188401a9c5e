import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SerialTable, SerialTableBuilder } from '../../../src/pki/revocation/serial-table.js';

/** The CRL index: every listed serial is found with its reason, no other serial is. */
describe('serial table', () => {
  it('finds exactly the serials added, with their reasons', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 20 }), {
          selector: (serial) => Buffer.from(serial).toString('hex'),
          maxLength: 300,
        }),
        fc.uint8Array({ minLength: 1, maxLength: 20 }),
        (serials, probe) => {
          const builder = new SerialTableBuilder();
          serials.forEach((serial, index) => builder.add(serial, index % 11));
          const table = new SerialTable(builder.build());
          assert.equal(table.size, serials.length);
          serials.forEach((serial, index) => assert.equal(table.reasonFor(serial), index % 11));
          const listed = serials.some((serial) => Buffer.from(serial).equals(Buffer.from(probe)));
          assert.equal(table.reasonFor(probe) !== undefined, listed);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tells apart serials that differ only by a leading zero byte', () => {
    const builder = new SerialTableBuilder();
    builder.add(Buffer.from('00ff', 'hex'), 1);
    const table = new SerialTable(builder.build());
    assert.equal(table.reasonFor(Buffer.from('00ff', 'hex')), 1);
    assert.equal(table.reasonFor(Buffer.from('ff', 'hex')), undefined);
  });
});
