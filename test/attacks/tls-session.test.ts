import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type * as oidc from 'openid-client';
import { TestBrowser } from '../support/browser.js';
import { startTestIdp, type TestIdp } from '../support/idp.js';
import { beginLogin, clientCertificateOf, relyingParty, stepRequestText, stepTokenOf } from '../support/login-flow.js';
import { openssl } from '../support/openssl.js';
import { writeCredentials } from '../support/pki.js';

/**
 * A new login must never inherit the certificate of an earlier handshake: not through TLS
 * session resumption (session ids or tickets, TLS 1.2 and a TLS 1.3 deployment), nor through
 * a second request on the same connection. Renegotiation, and the absence of tickets in the
 * handshake itself, are in test/e2e/tls.test.ts.
 */
for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  describe(`attack: carrying a previous certificate into a new login (${version})`, () => {
    let idp: TestIdp;
    let config: oidc.Configuration;
    let credentials: Awaited<ReturnType<typeof writeCredentials>>;
    let caFile: string;
    let port: string;

    before(async () => {
      idp = await startTestIdp({ maxVersion: version, minVersion: version });
      config = await relyingParty(idp);
      credentials = await writeCredentials(await idp.pki.citizen());
      caFile = path.join(credentials.dir, 'tls-ca.pem');
      writeFileSync(caFile, idp.tlsCaPem);
      port = new URL(idp.certificateOrigin).port;
    });
    after(() => idp.close());

    const versionFlag = version === 'TLSv1.2' ? '-tls1_2' : '-tls1_3';
    const request = (interaction: Interaction) =>
      stepRequestText(`localhost:${port}`, interaction.uid, interaction.stepToken);

    interface Interaction {
      uid: string;
      stepToken: string | undefined;
    }
    async function newInteraction(): Promise<Interaction> {
      const browser = new TestBrowser({ caPem: idp.tlsCaPem });
      const started = await beginLogin(idp, browser, config);
      return { uid: started.uid, stepToken: stepTokenOf(started.loginPage) };
    }

    for (const mechanism of ['session ticket', 'session id'] as const) {
      it(`gives a client resuming by ${mechanism} without a card no earlier certificate`, async () => {
        const sessionFile = path.join(credentials.dir, `${mechanism.replace(' ', '-')}.pem`);
        const common = ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'];
        const ticketFlag = mechanism === 'session id' ? ['-no_ticket'] : [];
        const first = await openssl(
          [...common, '-CAfile', caFile, versionFlag, ...ticketFlag, '-cert', credentials.cert,
            '-key', credentials.key, '-sess_out', sessionFile],
          { input: request(await newInteraction()), until: /HTTP\/1\.1 \d{3}[\s\S]*\r?\n\r?\n/ },
        );
        assert.match(first.stdout, /HTTP\/1\.1 303/, 'the card signs in on the first connection');

        const second = await openssl(
          [...common, '-CAfile', caFile, versionFlag, ...ticketFlag, '-sess_in', sessionFile],
          { input: request(await newInteraction()), until: /HTTP\/1\.1 \d{3}[\s\S]*\r?\n\r?\n/ },
        );
        assert.doesNotMatch(second.stdout, /^Reused/m, 'the session was not resumed');
        assert.match(second.stdout, /HTTP\/1\.1 403/);
        assert.match(second.stdout, /data-code="CERT_MISSING"/);
        assert.doesNotMatch(second.stdout, /handle=/);
      });
    }

    it('answers one request per connection, so a second login cannot ride on the first handshake', async () => {
      const card = await clientCertificateOf(await idp.pki.citizen());
      const [first, second] = [await newInteraction(), await newInteraction()];
      const received = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = tls.connect({
          host: '127.0.0.1',
          port: Number(port),
          servername: 'localhost',
          ca: idp.tlsCaPem,
          cert: card.cert,
          key: card.key,
          minVersion: version,
          maxVersion: version,
        });
        socket.on('secureConnect', () => socket.write(request(first) + request(second)));
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(text));
        socket.setTimeout(10_000, () => socket.destroy(new Error('no close within 10 s')));
      });
      assert.equal(received.match(/^HTTP\/1\.1 /gm)?.length, 1, 'exactly one answer');
      assert.match(received, new RegExp(`/interaction/${first.uid}/callback\\?handle=`));
      assert.doesNotMatch(received, new RegExp(second.uid));
    });
  });
}
