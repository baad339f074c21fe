import { z } from 'zod';
import type { ApiRouter } from '../http/routes.ts';
import type { AppContext } from '../context.ts';
import { IdentityService } from './service.ts';
import { publicJwkSchema } from './jwk.ts';
import { accountSchema, compactJwsSchema, createAccountBody, handleSchema, kidSchema } from './schemas.ts';

const sessionSchema = z.object({ token: z.string(), expiresAt: z.string(), account: accountSchema });

export function registerIdentityRoutes(api: ApiRouter, ctx: AppContext): void {
  const sessions = ctx.sessions;
  const identity = new IdentityService(ctx, sessions);

  api.route(
    {
      method: 'post',
      path: '/v1/auth/challenge',
      summary: 'Get a single-use nonce to sign for sign-in',
      tags: ['identity'],
      before: [ctx.limits.signIn],
      body: z.object({ kid: kidSchema.optional() }).optional(),
      responses: { 201: { description: 'challenge', schema: z.object({ nonce: z.string(), expiresAt: z.string() }) } },
    },
    () => identity.createChallenge(),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/auth/session',
      summary: 'Sign in with a JWS (typ aura-auth+jwt) over { nonce, aud: the registry public URL, iat }, accepted once; sets an HttpOnly cookie and returns a bearer token',
      tags: ['identity'],
      before: [ctx.limits.signIn],
      body: z.object({ jws: compactJwsSchema }),
      responses: { 201: { description: 'signed in', schema: sessionSchema } },
    },
    async ({ body, res }) => {
      const result = await identity.signIn(body.jws);
      sessions.setCookie(res, result.token, result.expiresAt);
      return { ...result, expiresAt: result.expiresAt.toISOString() };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/auth/session',
      summary: 'Who is signed in',
      tags: ['identity'],
      auth: true,
      responses: { 200: { description: 'the signed-in account', schema: z.object({ account: accountSchema, kid: z.string() }) } },
    },
    async ({ req }) => {
      const session = await sessions.require(req);
      return { account: await identity.getAccount(session.handle), kid: session.kid };
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/v1/auth/session',
      summary: 'Sign out: revokes the session (bearer token or cookie) in every process at once, and clears the cookie',
      tags: ['identity'],
      responses: { 204: { description: 'signed out' } },
    },
    async ({ req, res }) => {
      await sessions.revoke(req);
      sessions.clearCookie(res);
      res.status(204).end();
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/accounts',
      summary: 'Create an artist or organisation account identified by an Ed25519 key',
      tags: ['identity'],
      before: [ctx.limits.signIn],
      body: createAccountBody,
      responses: { 201: { description: 'the account', schema: accountSchema } },
    },
    ({ body }) => identity.createAccount(body),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/accounts/:handle',
      summary: 'An account, its public key history',
      tags: ['identity'],
      params: z.object({ handle: handleSchema }),
      responses: { 200: { description: 'the account', schema: accountSchema } },
    },
    async ({ params }) => {
      const account = await identity.getAccount(params.handle);
      // An organisation's profile says whether the operator verified it, since when and by whom, and its linked domains.
      return account.kind === 'organization' ? { ...account, organization: await ctx.trust.profile(account.id) } : account;
    },
  );

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
