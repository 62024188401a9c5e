import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, EidError } from '../errors.js';
import { dottedPath, readYamlFile, type YamlSource } from '../config/yaml-source.js';
import { ParsedCertificate } from './certificate.js';
import type { TrustAnchor } from './trust-store.js';

/**
 * Reads one trust directory's `trust.yaml`: which files are anchors (with environment and an
 * optional card-profile hint) and which are intermediates for path building. Every error
 * names the file, the line and the setting. A certificate file may be PEM (one or more
 * certificates) or DER.
 */

const FILE_NAME = 'trust.yaml';

const anchorEntry = z
  .object({
    file: z.string().min(1),
    profile: z.string().min(1).optional(),
    environment: z.enum(['production', 'test']),
  })
  .strict();

const intermediateEntry = z.object({ file: z.string().min(1) }).strict();

const trustFile = z
  .object({
    anchors: z.array(anchorEntry).default([]),
    intermediates: z.array(intermediateEntry).default([]),
  })
  .strict();

/** What one directory contributes to the trust store. */
export interface TrustDirectory {
  anchors: TrustAnchor[];
  intermediates: ParsedCertificate[];
}

type Setting = (string | number)[];

function where(source: YamlSource, setting: Setting) {
  const line = source.lineOf(setting);
  return { file: source.file, setting: dottedPath(setting), ...(line ? { line } : {}) };
}

async function readCertificates(
  source: YamlSource,
  directory: string,
  relative: string,
  setting: Setting,
): Promise<ParsedCertificate[]> {
  const file = path.resolve(directory, relative);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `certificate file ${relative} cannot be read (${code})`,
      where(source, setting),
    );
  }
  try {
    return ParsedCertificate.fromPemOrDer(bytes);
  } catch (error) {
    if (!(error instanceof EidError)) throw error;
    throw new ConfigError(
      `${relative} is not a valid PEM or DER certificate (${error.detail ?? error.message})`,
      where(source, setting),
    );
  }
}

/**
 * Loads `<directory>/trust.yaml` and the certificates it names.
 *
 * @throws ConfigError naming file, line and setting for a missing or unreadable file, a YAML or
 *   schema error, an unparseable certificate, or an anchor that is not a CA
 */
export async function loadTrustDirectory(directory: string): Promise<TrustDirectory> {
  const source = readYamlFile(path.join(directory, FILE_NAME));
  const parsed = trustFile.safeParse(source.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue?.message ?? 'invalid', where(source, issue?.path ?? []));
  }

  const anchors: TrustAnchor[] = [];
  for (const [index, entry] of parsed.data.anchors.entries()) {
    const setting = ['anchors', index, 'file'];
    for (const certificate of await readCertificates(source, directory, entry.file, setting)) {
      if (!certificate.isCa) {
        throw new ConfigError(
          `${entry.file} is not a CA certificate (basicConstraints cA is not set)`,
          where(source, setting),
        );
      }
      const anchor: TrustAnchor = {
        certificate,
        environment: entry.environment,
        source: source.file,
      };
      if (entry.profile !== undefined) anchor.profile = entry.profile;
      anchors.push(anchor);
    }
  }

  const intermediates: ParsedCertificate[] = [];
  for (const [index, entry] of parsed.data.intermediates.entries()) {
    const setting = ['intermediates', index, 'file'];
    intermediates.push(...(await readCertificates(source, directory, entry.file, setting)));
  }
  return { anchors, intermediates };
}
