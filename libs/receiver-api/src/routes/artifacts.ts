import { ArtifactList, ArtifactParams, ArtifactStored, ArtifactUploadHeaders, CommitMissingBody, CommitNotAllowedBody, HostParams, KNOWN_SCHEMA_VERSIONS } from '@watchkeeper/contracts';
import { readArtifactMeta } from '@watchkeeper/artifact-store';
import { badRequest, errorResponse } from '@watchkeeper/http-api';
import type { RouteContext } from '../deps';
import { RefusalError } from '../refusal-error';

export function artifactRoutes({ api, admin, host, artifacts, gate, logger }: RouteContext): void {
  api.route({
    method: 'put',
    path: '/v1/artifacts/:host/:name',
    operationId: 'putArtifact',
    summary: 'Upload an artifact (streamed, SHA-256 checked, content-addressed)',
    description:
      'The body is streamed to disk while it is hashed and counted: over the size cap → 413 without reading the rest; ' +
      'hash not the announced one → 400 sha-mismatch, nothing kept. The name is written once: same hash again → 200 ' +
      'already-present, another hash → 409 with the stored hash. `X-Code-Commit`: while a version gate is set (`/v1/version-gate`) ' +
      'it is required (400 with `remediation`) and must be among the gate\'s newest `window` commits (412 with `yourCommit`, ' +
      '`headCommit`, `window`, `remediation`); without a gate it must be a full commit hash in the start-up allow-list, and ' +
      'uploads without it are accepted and reported as unstamped. `X-Schema-Version`, when given, must be a contract version ' +
      'this receiver knows (400 otherwise).',
    tags: ['artifacts'],
    security: ['hostToken'],
    before: [host],
    params: ArtifactParams,
    rawBody: { contentType: 'application/octet-stream', description: 'the artifact bytes' },
    responses: {
      200: { description: 'already present with this hash', schema: ArtifactStored },
      201: { description: 'stored', schema: ArtifactStored },
      403: errorResponse(403),
      409: errorResponse(409, 'the name is stored with another hash; `details.existingSha256` says which'),
      400: { description: 'invalid input; with a version gate set, a missing or malformed X-Code-Commit (`remediation` says what to send)', schema: CommitMissingBody },
      412: { description: 'this code version may not upload: `yourCommit`, `headCommit`, `window`, and how to update in `remediation`', schema: CommitNotAllowedBody },
      413: errorResponse(413),
    },
    handler: async ({ params }, req, res) => {
      // Headers are checked here rather than by schema so the gate can answer 412 with its remediation.
      const sha = req.headers['x-content-sha256'];
      const shaCheck = ArtifactUploadHeaders.shape['x-content-sha256'].safeParse(sha);
      res.locals.upload = { stamped: req.headers['x-code-commit'] !== undefined };
      if (!shaCheck.success) throw badRequest('bad-sha256', 'X-Content-SHA256 is required: the SHA-256 of the body as 64 lowercase hex digits');
      const schemaVersion = req.headers['x-schema-version'];
      if (schemaVersion !== undefined && !KNOWN_SCHEMA_VERSIONS.includes(String(schemaVersion))) {
        throw badRequest('unknown-schema-version', `X-Schema-Version ${String(schemaVersion)} is not one this receiver knows`, { known: KNOWN_SCHEMA_VERSIONS });
      }
      const verdict = await gate.check(req.headers['x-code-commit']);
      if (!verdict.ok) {
        const { ok: _ok, status, code, message, ...fields } = verdict;
        throw new RefusalError(status, code, message, fields);
      }
      const { meta, dropped } = readArtifactMeta(req.headers);
      if (Object.keys(dropped).length) logger.warn({ host: params.host, name: params.name, dropped }, 'unknown artifact metadata values dropped');
      const lengthHeader = req.headers['content-length'];
      const r = await artifacts.put({
        host: params.host,
        name: params.name,
        sha256: shaCheck.data,
        body: req,
        ...(lengthHeader !== undefined ? { declaredLength: Number(lengthHeader) } : {}),
        ...(verdict.commit ? { codeCommit: verdict.commit } : {}),
        meta,
      });
      return { status: r.status === 'stored' ? 201 : 200, body: { ...r.record, status: r.status } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/artifacts/:host',
    operationId: 'listArtifacts',
    summary: "A host's artifacts, newest first",
    tags: ['artifacts'],
    security: ['adminToken'],
    before: [admin],
    params: HostParams,
    responses: { 200: { description: 'name, hash, size, metadata of each', schema: ArtifactList } },
    handler: async ({ params }) => ({ status: 200, body: { host: params.host, artifacts: await artifacts.list(params.host) } }),
  });
}
