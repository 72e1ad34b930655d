import { z } from 'zod';
import { HostName, IsoDateTime } from '../common';

/** Path parameter `:host` of every per-host route. */
export const HostParams = z.object({ host: HostName });

/** A token id is public (it names the token in logs and lists); the secret part is not. */
export const TokenId = z.string().regex(/^[a-z0-9]{16}$/, 'token id is 16 lowercase letters or digits');

export const TokenParams = z.object({ host: HostName, tokenId: TokenId });

export const CreateTokenRequest = z
  .object({ label: z.string().max(200).optional().describe('free text, e.g. why or by whom the token was made') })
  .strict();
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

export const TokenInfo = z.object({
  tokenId: TokenId,
  host: HostName,
  label: z.string().optional(),
  createdAt: IsoDateTime,
  revokedAt: IsoDateTime.optional(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

/** Shown once: the receiver keeps only a hash of `token`. */
export const TokenCreated = TokenInfo.extend({
  token: z.string().describe('bearer token for this host; store it now, it is never shown again'),
});
export type TokenCreated = z.infer<typeof TokenCreated>;

export const TokenList = z.object({ host: HostName, tokens: z.array(TokenInfo) });
export type TokenList = z.infer<typeof TokenList>;
