import { ArtifactEncoding, ArtifactKind, type ArtifactMeta } from '@watchkeeper/contracts';

/** Known metadata values are kept; unknown ones are dropped and returned so the caller can log them. */
export function readArtifactMeta(headers: Record<string, string | string[] | undefined>): { meta: ArtifactMeta; dropped: Record<string, string> } {
  const meta: ArtifactMeta = {};
  const dropped: Record<string, string> = {};
  const kind = first(headers['x-artifact-kind']);
  const encoding = first(headers['x-artifact-encoding']);
  if (kind !== undefined) {
    const r = ArtifactKind.safeParse(kind);
    if (r.success) meta.kind = r.data;
    else dropped['x-artifact-kind'] = kind.slice(0, 100);
  }
  if (encoding !== undefined) {
    const r = ArtifactEncoding.safeParse(encoding);
    if (r.success) meta.encoding = r.data;
    else dropped['x-artifact-encoding'] = encoding.slice(0, 100);
  }
  return { meta, dropped };
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
