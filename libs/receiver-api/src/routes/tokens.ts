import { CreateTokenRequest, HostParams, TokenCreated, TokenInfo, TokenList, TokenParams } from '@watchkeeper/contracts';
import { errorResponse, notFound } from '@watchkeeper/http-api';
import type { RouteContext } from '../deps';

export function tokenRoutes({ api, admin, tokens, logger }: RouteContext): void {
  api.route({
    method: 'post',
    path: '/v1/hosts/:host/tokens',
    operationId: 'createHostToken',
    summary: 'Create a host token (shown once; at most two active per host, for rotation)',
    tags: ['tokens'],
    security: ['adminToken'],
    before: [admin],
    params: HostParams,
    body: CreateTokenRequest,
    bodyRequired: false, // no body: a token without a label
    responses: {
      201: { description: 'the token; only its hash is kept', schema: TokenCreated },
      409: errorResponse(409, 'the host already has two active tokens: revoke one first'),
    },
    handler: async ({ params, body }) => {
      const created = await tokens.create(params.host, body.label);
      logger.info({ host: created.host, tokenId: created.tokenId }, 'host token created');
      return { status: 201, body: created };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/hosts/:host/tokens',
    operationId: 'listHostTokens',
    summary: "A host's tokens (ids and dates, never secrets)",
    tags: ['tokens'],
    security: ['adminToken'],
    before: [admin],
    params: HostParams,
    responses: { 200: { description: 'active and revoked tokens, oldest first', schema: TokenList } },
    handler: async ({ params }) => ({ status: 200, body: { host: params.host, tokens: await tokens.list(params.host) } }),
  });

  api.route({
    method: 'delete',
    path: '/v1/hosts/:host/tokens/:tokenId',
    operationId: 'revokeHostToken',
    summary: 'Revoke a host token (takes effect at once on this instance)',
    tags: ['tokens'],
    security: ['adminToken'],
    before: [admin],
    params: TokenParams,
    responses: { 200: { description: 'revoked (revoking again is a no-op)', schema: TokenInfo }, 404: errorResponse(404, 'the host has no such token') },
    handler: async ({ params }) => {
      const revoked = await tokens.revoke(params.host, params.tokenId);
      if (!revoked) throw notFound(`host ${params.host} has no token ${params.tokenId}`);
      logger.info({ host: params.host, tokenId: params.tokenId }, 'host token revoked');
      return { status: 200, body: revoked };
    },
  });
}
