import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { dottedPath, readYamlFile } from '../config/yaml-source.js';

/**
 * `ca-bundle/manifest.yaml`: the national CA certificates per card profile, with the
 * SHA-256 fingerprint that pins each and its official download location where one is
 * published. A fingerprint or a URL may be unknown (null): the manifest says so rather than
 * guess, and such an entry is never installed.
 */

const hex64 = z
  .string()
  .transform((value) => value.replace(/:/g, '').toLowerCase())
  .refine((value) => /^[0-9a-f]{64}$/.test(value), 'must be a SHA-256 in hex (64 digits)');

const httpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http or https URL');

const entry = z
  .object({
    name: z.string().min(1),
    profile: z.string().min(1),
    environment: z.enum(['production', 'test']),
    role: z.enum(['anchor', 'intermediate']),
    subject: z.string().min(1),
    issuer: z.string().min(1),
    sha256: hex64.nullable(),
    fixture: z.string().optional(),
    url: httpUrl.nullable(),
    url_source: z.string().optional(),
    note: z.string().optional(),
    /** File name written by fetch-anchors; a plain name, never a path. */
    file: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.pem$/, 'must be a plain file name ending in .pem')
      .nullable(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.url !== null && value.file === null) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'an entry with a url needs a file' });
    }
    if (value.url === null && value.note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'say why no url is known' });
    }
    if (value.sha256 === null && value.note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: 'say why the fingerprint is unknown' });
    }
  });

const manifest = z.object({ anchors: z.array(entry).min(1) }).strict();

export type ManifestEntry = z.infer<typeof entry>;

/**
 * Reads and validates a manifest.
 *
 * @throws ConfigError naming the file, the line and the entry's setting
 */
export function loadAnchorManifest(file: string): ManifestEntry[] {
  const source = readYamlFile(file);
  const parsed = manifest.safeParse(source.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = issue?.path ?? [];
    const line = source.lineOf(setting);
    throw new ConfigError(issue?.message ?? 'invalid', {
      file,
      setting: dottedPath(setting),
      ...(line ? { line } : {}),
    });
  }
  const files = new Set<string>();
  for (const [index, item] of parsed.data.anchors.entries()) {
    if (item.file === null) continue;
    if (files.has(item.file)) {
      throw new ConfigError(`file ${item.file} is named twice`, {
        file,
        setting: `anchors[${index}].file`,
      });
    }
    files.add(item.file);
  }
  return parsed.data.anchors;
}
