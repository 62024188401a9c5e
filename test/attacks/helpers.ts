import type { Response } from '../support/browser.js';
import type { TestIdp } from '../support/idp.js';

/** The stable code an error page carries in `data-code`. */
export function dataCode(response: Response): string | undefined {
  return /data-code="([A-Z_]+)"/.exec(response.body)?.[1];
}

/** Counts authorization codes the IdP issues: an attack that succeeds issues one. */
export function countIssuedCodes(idp: TestIdp): () => number {
  let issued = 0;
  idp.provider.on('authorization_code.saved', () => {
    issued += 1;
  });
  return () => issued;
}
