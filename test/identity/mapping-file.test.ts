import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import {
  allowedClaims,
  loadMappingFile,
  mapIdentity,
  parseMappingText,
  restrictClaims,
} from '../../src/identity/index.js';
import type { CertificateFacts } from '../../src/identity/types.js';
import { fixtureFacts } from './fixture-files.js';
import { makeCa, makeLeaf, OID, x509, type TestCa } from './pki.js';

const FILE = 'claim-mapping.yaml';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Lines joined with newlines, `version: 1` last so that line numbers in the assertions are
 * the positions of the lines given.
 */
function yaml(...lines: string[]): string {
  return `${[...lines, 'version: 1'].join('\n')}\n`;
}

function refusal(text: string): ConfigError {
  try {
    parseMappingText(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('the file was accepted');
}

describe('claim-mapping file: overrides of built-in profiles', () => {
  let ca: TestCa;
  let demo: CertificateFacts;

  before(async () => {
    ca = await makeCa([[OID.C, 'ES'], [OID.CN, 'demo CA']]);
    demo = await makeLeaf(ca, {
      subject: [
        [OID.C, 'ES'],
        [OID.serialNumber, '00000000T'],
        [OID.SN, 'ESPAÑOL ESPAÑOL'],
        [OID.GN, 'JUAN'],
        [OID.CN, 'ESPAÑOL ESPAÑOL, JUAN (AUTENTICACIÓN)'],
      ],
      keyUsage: x509.KeyUsageFlags.digitalSignature,
      policies: ['2.16.724.1.2.2.2.4'],
    });
  });

  it('a file with only its version keeps the built-in profiles and restricts no client', () => {
    const mapping = parseMappingText('version: 1\n', FILE);
    assert.equal(mapping.profiles.length, 9);
    assert.equal(allowedClaims(mapping, 'anyone'), undefined);
  });

  it('title-cases DNIe names when the file asks, keeping accents and the identifier', () => {
    const mapping = parseMappingText(
      yaml(
        'profiles:',
        '  es-dnie:',
        '    claims:',
        '      given_name: { attribute: GN, transforms: [trim, nfc, titleCase] }',
        '      family_name: { attribute: 2.5.4.4, transforms: [titleCase] }',
      ),
      FILE,
    );
    const context = { anchorProfile: 'es-dnie', issuer: ca.facts };
    const result = mapIdentity(demo, context, mapping.profiles);
    assert.ok(result.ok);
    assert.deepEqual(result.claims, {
      given_name: 'Juan',
      family_name: 'Español Español',
      name: 'Juan Español Español',
      national_id: { type: 'IDC', country: 'ES', value: '00000000T', raw: '00000000T' },
    });
  });

  it('splits the CN into surnames and given name with splitCn, dropping the role suffix', () => {
    const mapping = parseMappingText(
      yaml(
        'profiles:',
        '  es-dnie:',
        '    claims:',
        '      given_name: { attribute: CN, transforms: [{ splitCn: { part: 1 } }] }',
        '      family_name:',
        '        attribute: CN',
        '        transforms: [{ splitCn: { part: 0, separator: "," } }]',
      ),
      FILE,
    );
    const context = { anchorProfile: 'es-dnie', issuer: ca.facts };
    const result = mapIdentity(demo, context, mapping.profiles);
    assert.ok(result.ok);
    assert.equal(result.claims.given_name, 'JUAN');
    assert.equal(result.claims.family_name, 'ESPAÑOL ESPAÑOL');
  });

  it('derives claims by regex capture and fixed value, and sets acr and amr', () => {
    const mapping = parseMappingText(
      yaml(
        'profiles:',
        '  es-fnmt:',
        '    acr: high',
        '    amr: [hwk, sc]',
        '    claims:',
        "      name: { attribute: CN, regex: '^(?<full>.*) - [0-9A-Z]+$', group: full }",
        '      given_name: { fixed: Ciudadano }',
      ),
      FILE,
    );
    const leaf = fixtureFacts(
      'TEST-ES-FNMT-PersonaFisica-EIDAS-CERTIFICADO-PRUEBAS-99999999R-activo.pem',
    );
    const issuer = fixtureFacts('CA-ES-AC-FNMT-Usuarios-intermediate.pem');
    assert.deepEqual(mapIdentity(leaf, { issuer }, mapping.profiles), {
      ok: true,
      profile: 'es-fnmt',
      claims: {
        given_name: 'Ciudadano',
        family_name: 'EIDAS CERTIFICADO',
        name: 'EIDAS CERTIFICADO PRUEBAS',
        national_id: { type: 'IDC', country: 'ES', value: '99999999R', raw: 'IDCES-99999999R' },
      },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
  });

  it('stops releasing a birth date when the file says none', () => {
    const mapping = parseMappingText(
      yaml('profiles:', '  ee-esteid:', '    claims:', '      birthdate: none'),
      FILE,
    );
    const leaf = fixtureFacts('TEST-EE-ESTEID2018-JOEORG-auth-EC-P384.pem');
    const issuer = fixtureFacts('CA-EE-TEST-of-ESTEID2018-intermediate.pem');
    const result = mapIdentity(leaf, { issuer }, mapping.profiles);
    assert.ok(result.ok);
    assert.equal(result.claims.birthdate, undefined);
    assert.equal(result.claims.national_id.value, '38001085718');
  });

  it('switches a built-in profile off with enabled: false', () => {
    const mapping = parseMappingText(yaml('profiles:', '  es-dnie:', '    enabled: false'), FILE);
    assert.ok(!mapping.profiles.some((profile) => profile.id === 'es-dnie'));
    const result = mapIdentity(demo, { issuer: ca.facts }, mapping.profiles);
    assert.ok(!result.ok && result.code === 'PROFILE_NOT_FOUND');
  });
});

describe('claim-mapping file: a new profile for a new issuer', () => {
  let ca: TestCa;
  let leaf: CertificateFacts;
  const PIN = 'ab'.repeat(32);

  before(async () => {
    ca = await makeCa([[OID.C, 'XX'], [OID.O, 'Ëxample Ministry'], [OID.CN, 'Example Citizen CA']]);
    leaf = await makeLeaf(ca, {
      subject: [
        [OID.C, 'XX'],
        [OID.CN, 'Łucja Żółć'],
        [OID.GN, 'Łucja'],
        [OID.SN, 'Żółć'],
        [OID.serialNumber, 'C123'],
      ],
      keyUsage: x509.KeyUsageFlags.digitalSignature,
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.2'],
      policies: ['1.3.6.1.4.1.99999.1.2'],
      emails: ['id-4711@citizens.example'],
    });
  });

  const newProfile = yaml(
    'profiles:',
    '  xx-card:',
    '    label: Example card',
    '    country: XX',
    '    match:',
    `      anchorSpkiSha256: [${PIN.toUpperCase()}]`,
    '      issuer: { O: Ëxample Ministry, 2.5.4.3: Example Citizen CA }',
    '      policies: [1.3.6.1.4.1.99999.1.2]',
    '    purpose:',
    '      authentication:',
    '        keyUsage: [digitalSignature]',
    '        policies: [1.3.6.1.4.1.99999.1.2]',
    '        extendedKeyUsage: [clientAuth]',
    '    claims:',
    "      national_id: { san: { type: email }, regex: '^id-([0-9]+)@', type: PNO, country: XX }",
    '    acr: high',
    '    amr: [hwk, sc]',
  );

  it('matches by anchor key, issuer attributes and policy; derives the configured claims', () => {
    const mapping = parseMappingText(newProfile, FILE);
    assert.equal(mapping.profiles[0]!.id, 'xx-card');
    const result = mapIdentity(leaf, { issuer: ca.facts, anchorSpkiSha256: PIN }, mapping.profiles);
    assert.deepEqual(result, {
      ok: true,
      profile: 'xx-card',
      claims: {
        given_name: 'Łucja',
        family_name: 'Żółć',
        name: 'Łucja Żółć',
        national_id: { type: 'PNO', country: 'XX', value: '4711', raw: 'id-4711@citizens.example' },
      },
      acr: 'http://eidas.europa.eu/LoA/high',
      amr: ['hwk', 'sc'],
    });
  });

  it('does not match a leaf under another anchor key', () => {
    const mapping = parseMappingText(newProfile, FILE);
    const result = mapIdentity(
      leaf,
      { issuer: ca.facts, anchorSpkiSha256: 'cd'.repeat(32) },
      mapping.profiles,
    );
    assert.ok(!result.ok && result.code === 'PROFILE_NOT_FOUND');
  });

  it('refuses a signature-only leaf of the new profile with CERT_SIGNATURE_ONLY', async () => {
    const mapping = parseMappingText(newProfile, FILE);
    const signature = await makeLeaf(ca, {
      subject: [[OID.C, 'XX'], [OID.serialNumber, 'C123']],
      keyUsage: x509.KeyUsageFlags.nonRepudiation,
      policies: ['1.3.6.1.4.1.99999.1.2'],
    });
    const context = { issuer: ca.facts, anchorSpkiSha256: PIN };
    const result = mapIdentity(signature, context, mapping.profiles);
    assert.ok(!result.ok && result.code === 'CERT_SIGNATURE_ONLY');
  });

  it('inherits purpose rules, claims and levels from the profile it extends', () => {
    const mapping = parseMappingText(
      yaml(
        'profiles:',
        '  xx-qualified:',
        '    extends: etsi-natural-person',
        '    match: { issuer: { CN: Example Citizen CA } }',
        '    claims:',
        '      national_id: { attribute: serialNumber, type: IDC, country: XX }',
      ),
      FILE,
    );
    const result = mapIdentity(leaf, { issuer: ca.facts }, mapping.profiles);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.profile, 'xx-qualified');
    assert.deepEqual(result.claims.national_id, {
      type: 'IDC',
      country: 'XX',
      value: 'C123',
      raw: 'C123',
    });
    assert.equal(result.acr, 'http://eidas.europa.eu/LoA/substantial');
    assert.deepEqual(result.amr, ['swk']);
  });
});

describe('claim-mapping file: per-client release', () => {
  const mapping = parseMappingText(
    yaml('clients:', '  library:', '    claims: [given_name, name]'),
    FILE,
  );

  it('restricts a listed client to its claims and leaves other clients alone', () => {
    assert.deepEqual([...allowedClaims(mapping, 'library')!], ['given_name', 'name']);
    assert.equal(allowedClaims(mapping, 'tax-office'), undefined);
  });

  it('drops every mapped claim the client may not receive, keeping protocol claims', () => {
    const claims = {
      sub: 'pairwise-sub',
      given_name: 'Juan',
      family_name: 'Español',
      name: 'Juan Español',
      birthdate: '1980-01-08',
      national_id: { type: 'IDC', country: 'ES', value: '00000000T', raw: '00000000T' },
    };
    assert.deepEqual(restrictClaims(mapping, 'library', claims), {
      sub: 'pairwise-sub',
      given_name: 'Juan',
      name: 'Juan Español',
    });
    assert.deepEqual(restrictClaims(mapping, 'tax-office', claims), claims);
  });
});

describe('claim-mapping file: broken files are refused with file, line and setting', () => {
  it('reports a YAML syntax error with its line', () => {
    const error = refusal(yaml('profiles:', '  es-dnie:', '    acr: [high', '  pt-cc: {}'));
    assert.equal(error.file, FILE);
    assert.equal(typeof error.line, 'number');
    assert.ok(error.line! >= 3, `line ${error.line}`);
    assert.match(error.message, /YAML syntax error/);
  });

  it('names an unknown transform, its line and its dotted setting', () => {
    const error = refusal(
      yaml(
        'profiles:',
        '  es-dnie:',
        '    claims:',
        '      given_name:',
        '        attribute: GN',
        '        transforms:',
        '          - trim',
        '          - upperCase',
      ),
    );
    assert.equal(error.line, 8);
    assert.equal(error.setting, 'profiles.es-dnie.claims.given_name.transforms[1]');
    assert.match(error.message, /unknown transform "upperCase"/);
    assert.match(error.message, new RegExp(`^${FILE}: line 8: profiles\\.es-dnie`));
  });

  it('names a regular expression that does not compile', () => {
    const error = refusal(
      yaml(
        'profiles:',
        '  es-fnmt:',
        '    claims:',
        "      name: { attribute: CN, regex: '^(unclosed' }",
      ),
    );
    assert.equal(error.line, 4);
    assert.equal(error.setting, 'profiles.es-fnmt.claims.name.regex');
    assert.match(error.message, /invalid regular expression/);
  });

  it('refuses to change a built-in profile\'s purpose rules', () => {
    const error = refusal(
      yaml(
        'profiles:',
        '  es-dnie:',
        '    purpose:',
        '      authentication: { keyUsage: [nonRepudiation] }',
      ),
    );
    assert.equal(error.setting, 'profiles.es-dnie.purpose');
    assert.equal(error.line, 3);
    assert.match(error.message, /extends: es-dnie/);
  });

  it('refuses anyPolicy as a card policy', () => {
    const error = refusal(
      yaml(
        'profiles:',
        '  xx-card:',
        '    extends: etsi-natural-person',
        '    match:',
        "      policies: ['2.5.29.32.0']",
      ),
    );
    assert.equal(error.setting, 'profiles.xx-card.match.policies[0]');
    assert.equal(error.line, 5);
  });

  it('refuses a new profile without match, an unknown attribute and an unknown claim', () => {
    assert.equal(
      refusal(yaml('profiles:', '  xx-card:', '    extends: be-eid')).setting,
      'profiles.xx-card',
    );
    assert.equal(
      refusal(yaml('profiles:', '  es-dnie:', '    claims:', '      name: { attribute: NAME }'))
        .setting,
      'profiles.es-dnie.claims.name.attribute',
    );
    const client = refusal(yaml('clients:', '  rp:', '    claims: [given_name, email]'));
    assert.equal(client.setting, 'clients.rp.claims[1]');
    assert.equal(client.line, 3);
  });

  it('refuses an unknown top-level setting and an acr that is not an eIDAS level', () => {
    assert.match(refusal(yaml('profile:', '  es-dnie: {}')).message, /profile/);
    const acr = refusal(yaml('profiles:', '  es-dnie:', '    acr: extreme'));
    assert.equal(acr.setting, 'profiles.es-dnie.acr');
    assert.equal(acr.line, 3);
  });

  it('refuses an empty file, as a write in progress leaves it', () => {
    const error = refusal('');
    assert.equal(error.setting, 'version');
    assert.match(error.message, /version: 1/);
  });

  it('reports an unreadable file by name', () => {
    assert.throws(
      () => loadMappingFile('/nonexistent/claim-mapping.yaml'),
      (error: unknown) =>
        error instanceof ConfigError && error.file === '/nonexistent/claim-mapping.yaml',
    );
  });
});

describe('the documented example file', () => {
  it('loads, adds its two profiles first and restricts its two clients', () => {
    const mapping = loadMappingFile(path.join(repoRoot, 'examples', 'claim-mapping.example.yaml'));
    assert.deepEqual(mapping.profiles.slice(0, 2).map((profile) => profile.id), [
      'acme-staff-card',
      'xx-national-card',
    ]);
    assert.deepEqual([...mapping.clients.keys()], ['library-portal', 'tax-office']);
  });
});
