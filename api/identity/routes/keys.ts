import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { IdentityService } from '../service.ts';
import { publicJwkSchema } from '../jwk.ts';
import { compactJwsSchema, handleSchema, kidSchema } from '../schemas.ts';

/** An account's key history: add a key, revoke one, each signed by an active key. */
export function registerKeyRoutes(api: ApiRouter, identity: IdentityService): void {
  api.route(
    {
      method: 'post',
      path: '/v1/accounts/:handle/keys',
      summary: 'Add a key, signed (typ aura-action+jwt, { action: "key.add", handle, kid, iat }) by an active key of the account',
      tags: ['identity'],
      params: z.object({ handle: handleSchema }),
      body: z.object({ jwk: publicJwkSchema, jws: compactJwsSchema }),
      responses: { 201: { description: 'the new key', schema: z.object({ kid: z.string(), status: z.literal('active') }) } },
    },
    ({ params, body }) => identity.addKey(params.handle, body.jwk, body.jws),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/keys/:kid/revoke',
      summary: 'Revoke a key, signed (typ aura-action+jwt, { action: "key.revoke", kid, iat }) by an active key of the same account',
      tags: ['identity'],
      params: z.object({ kid: kidSchema }),
      body: z.object({ jws: compactJwsSchema }),
      responses: { 200: { description: 'revoked', schema: z.object({ kid: z.string(), status: z.literal('revoked') }) } },
    },
    ({ params, body }) => identity.revokeKey(params.kid, body.jws),
  );
}
