/**
 * A URL safe to print: user info (basic-auth credentials) is replaced with
 * `***`, and so are query parameters that look like secrets.
 *
 * @example
 * ```ts
 * redactUrl('http://alice:s3cret@registry:8081/apis/ccompat/v7'); // 'http://***@registry:8081/apis/ccompat/v7'
 * ```
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    // Not a URL: still hide anything shaped like user:password@.
    return String(url).replace(/\/\/[^/@\s]*@/g, '//***@');
  }
  const hadCredentials = parsed.username !== '' || parsed.password !== '';
  parsed.username = '';
  parsed.password = '';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key|auth/i.test(key)) parsed.searchParams.set(key, '***');
  }
  const text = parsed.toString();
  return hadCredentials ? text.replace('//', '//***@') : text;
}
