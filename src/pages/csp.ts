/**
 * The Content-Security-Policy of every page: nothing external, no inline script or style,
 * no framing. Assets come from the OIDC origin (also for pages of the certificate origin).
 * `form-action` lists where a form may go, including the redirect that follows it:
 * browsers enforce it on redirects, so a consent form that ends at the relying party must
 * name the relying party's origin.
 */
export function contentSecurityPolicy(options: {
  assetOrigin: string;
  formActionOrigins?: readonly string[];
}): string {
  const asset = new URL(options.assetOrigin).origin;
  const formAction = ["'self'", ...new Set(options.formActionOrigins ?? [])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${asset}`,
    `style-src ${asset}`,
    `img-src ${asset} data:`,
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The origin of a URL, or undefined for anything that is not an absolute http(s) URL. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}
