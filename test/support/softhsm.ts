import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { certificatePem, type Issued } from '../../src/cli/dev-pki.js';
import type { BrowserProfile } from './chromium.js';
import { requireCommand } from './tools.js';

/**
 * Simulated smart cards (../shared/recipes/BROWSER-MTLS.md): a SoftHSM token holding the
 * citizen's key and certificate, registered as a PKCS#11 module in a browser profile's NSS
 * database, so that Chromium signs the TLS handshake on the "card" and asks for its PIN in
 * a dialog, which runs headed under an Xvfb of our own and is answered with xdotool.
 */

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/**
 * Mechanisms a DNIe does not have: every RSA-PSS variant (and raw RSA, from which PSS could
 * be built). SoftHSM 2.6.1 ignores the first name after the "-", hence the repetition.
 */
const PSS_REMOVED =
  '-CKM_RSA_PKCS_PSS,CKM_RSA_PKCS_PSS,CKM_SHA256_RSA_PKCS_PSS,CKM_SHA384_RSA_PKCS_PSS,' +
  'CKM_SHA512_RSA_PKCS_PSS,CKM_RSA_X_509';

export function requireSmartCardTools(): void {
  requireCommand('softhsm2-util', 'softhsm2');
  requireCommand('pkcs11-tool', 'opensc');
  requireCommand('modutil', 'libnss3-tools');
  requireCommand('certutil', 'libnss3-tools');
  requireCommand('Xvfb', 'xvfb');
  requireCommand('xdotool', 'xdotool');
  if (!existsSync(SOFTHSM_MODULE)) {
    throw new Error(`${SOFTHSM_MODULE} is missing: install the Debian package "softhsm2"`);
  }
}

export interface SimulatedCard {
  dir: string;
  /** SOFTHSM2_CONF for every process that opens the token (modutil, Chromium). */
  env: { SOFTHSM2_CONF: string };
  label: string;
  pin: string;
  remove(): void;
}

/**
 * Makes a token with one key pair and its certificate (same CKA_ID, as card middleware
 * lays them out). `pkcs1Only`: a DNIe-like card that cannot sign RSA-PSS.
 */
export async function makeCard(options: {
  label: string;
  pin: string;
  citizen: Issued;
  pkcs1Only?: boolean;
}): Promise<SimulatedCard> {
  requireSmartCardTools();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eid-idp-card-'));
  const tokens = path.join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    [
      `directories.tokendir = ${tokens}`,
      'objectstore.backend = file',
      'log.level = ERROR',
      ...(options.pkcs1Only ? [`slots.mechanisms = ${PSS_REMOVED}`] : []),
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const run = (command: string, args: string[]) =>
    execFileSync(command, args, { env, stdio: 'pipe' });
  run('softhsm2-util', ['--init-token', '--free', '--label', options.label, '--so-pin', '87654321', '--pin', options.pin]);

  const keyDer = path.join(dir, 'key.der');
  const certDer = path.join(dir, 'cert.der');
  writeFileSync(
    keyDer,
    Buffer.from(await webcrypto.subtle.exportKey('pkcs8', options.citizen.keys.privateKey)),
    { mode: 0o600 },
  );
  writeFileSync(certDer, Buffer.from(options.citizen.certificate.rawData));
  const tool = ['--module', SOFTHSM_MODULE, '--token-label', options.label, '--login', '--pin', options.pin];
  run('pkcs11-tool', [...tool, '--write-object', keyDer, '--type', 'privkey', '--id', '01', '--label', 'auth', '--usage-sign']);
  run('pkcs11-tool', [...tool, '--write-object', certDer, '--type', 'cert', '--id', '01', '--label', 'auth']);
  rmSync(keyDer);
  return {
    dir,
    env: { SOFTHSM2_CONF: conf },
    label: options.label,
    pin: options.pin,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Registers the SoftHSM module in the profile's NSS database, as card middleware does, and
 * adds the card's issuing CAs (no trust flags) so that Chromium can match the card to the
 * CA names the server asks for.
 */
export function insertCard(profile: BrowserProfile, card: SimulatedCard, chain: Issued[]): void {
  execFileSync(
    'modutil',
    ['-dbdir', profile.nssdb, '-add', 'softhsm2', '-libfile', SOFTHSM_MODULE, '-force'],
    { env: { ...process.env, ...card.env }, input: '\n', stdio: ['pipe', 'pipe', 'pipe'] },
  );
  chain.forEach((ca, index) => {
    const file = path.join(profile.dir, `card-ca-${index}.pem`);
    writeFileSync(file, certificatePem(ca));
    execFileSync('certutil', ['-A', '-d', profile.nssdb, '-n', `card-ca-${index}`, '-t', ',,', '-i', file], {
      stdio: 'pipe',
    });
  });
}

/** An X server of our own on a free display number, for headed Chromium. */
export interface VirtualDisplay {
  display: string;
  stop(): Promise<void>;
}

export async function startXvfb(): Promise<VirtualDisplay> {
  requireCommand('Xvfb', 'xvfb');
  for (let number = 90 + Math.floor(Math.random() * 200); ; number += 1) {
    if (existsSync(`/tmp/.X${number}-lock`) || existsSync(`/tmp/.X11-unix/X${number}`)) continue;
    const child: ChildProcess = spawn('Xvfb', [`:${number}`, '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (let i = 0; i < 100 && child.exitCode === null; i += 1) {
      if (existsSync(`/tmp/.X11-unix/X${number}`)) {
        return {
          display: `:${number}`,
          stop: async () => {
            if (child.exitCode === null) {
              child.kill('SIGTERM');
              await exited;
            }
          },
        };
      }
      await sleep(100);
    }
    child.kill('SIGKILL');
    await exited;
    // Lost a race for this display number (or Xvfb failed): try the next one.
    if (number > 400) throw new Error(`Xvfb did not start: ${stderr}`);
  }
}

const execFileAsync = promisify(execFile);

/**
 * Waits for Chromium's "Unlock" dialog (the token PIN prompt) on `display` and types the
 * PIN into it, as a citizen would, until `done` resolves; resolves with the number of PINs
 * typed. A dialog still open a few seconds after its PIN was typed (keys sent before it
 * could take them) gets its field cleared and the PIN typed again.
 */
export function answerPinDialogs(
  display: string,
  pin: string,
  done: Promise<unknown>,
): Promise<number> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const env = { ...process.env, DISPLAY: display };
  const xdotool = (...args: string[]) => execFileAsync('xdotool', args, { env });
  const openDialogs = async (): Promise<string[]> => {
    try {
      const { stdout } = await xdotool('search', '--onlyvisible', '--name', 'Unlock');
      return stdout.split('\n').filter(Boolean);
    } catch {
      return []; // xdotool exits 1 when nothing matches
    }
  };
  return (async () => {
    let typed = 0;
    while (!finished) {
      const [id] = await openDialogs();
      if (id === undefined) {
        await sleep(200);
        continue;
      }
      // Let the dialog finish drawing before it gets keys.
      await sleep(500);
      // No window manager runs on our Xvfb: focus the dialog directly, then type.
      await xdotool('windowfocus', '--sync', id).catch(() => undefined);
      await xdotool('key', '--clearmodifiers', 'ctrl+a', 'BackSpace').catch(() => undefined);
      await xdotool('type', '--delay', '40', pin);
      await xdotool('key', 'Return');
      typed += 1;
      for (let i = 0; i < 25 && !finished && (await openDialogs()).includes(id); i += 1) {
        await sleep(200);
      }
    }
    return typed;
  })();
}
