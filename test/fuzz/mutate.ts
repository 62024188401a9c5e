import fc from 'fast-check';

/**
 * Mutations of a valid DER structure: what a fuzzer changes to reach the parser's corners
 * (flipped bits, changed length bytes, truncation, inserted or repeated slices).
 */
export function mutatedDer(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 64 }),
    }),
  );
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([seed, mutations]) => {
      let bytes = Buffer.from(seed);
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.kind === 'flip') bytes[at] = bytes[at]! ^ (1 << m.bit);
        else if (m.kind === 'set') bytes[at] = m.value;
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
        else if (m.kind === 'insert') {
          bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        }
        else bytes = Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
      }
      return new Uint8Array(bytes);
    });
}

/** Random DER-looking bytes: a tag, a (possibly lying) length, and random content. */
export function derLikeBytes(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(0x30, 0x31, 0x02, 0x04, 0x06, 0xa0, 0xa3),
      fc.uint8Array({ maxLength: 5 }),
      fc.uint8Array({ maxLength: 256 }),
    )
    .map(([tag, length, content]) => new Uint8Array([tag, ...length, ...content]));
}
