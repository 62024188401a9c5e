import type { CardProfile } from '../profile.js';
import { beEid, beEidForeigner } from './be-eid.js';
import { eeEsteid } from './ee-esteid.js';
import { esDnie } from './es-dnie.js';
import { esFnmt } from './es-fnmt.js';
import { etsiNaturalPerson } from './etsi-natural-person.js';
import { fiFineid } from './fi-fineid.js';
import { lvEid } from './lv-eid.js';
import { ptCc } from './pt-cc.js';

/**
 * The built-in card profiles in matching order: specific cards first, the generic ETSI
 * profile last so that it only catches what no card profile claims. A trust anchor's
 * `profile` hint names one of these ids and skips matching.
 */
export const builtInProfiles: readonly CardProfile[] = Object.freeze([
  esDnie,
  esFnmt,
  eeEsteid,
  beEid,
  beEidForeigner,
  ptCc,
  fiFineid,
  lvEid,
  etsiNaturalPerson,
]);

export {
  beEid,
  beEidForeigner,
  eeEsteid,
  esDnie,
  esFnmt,
  etsiNaturalPerson,
  fiFineid,
  lvEid,
  ptCc,
};
