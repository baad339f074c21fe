import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import type { IdentityService } from '../service.ts';
import { accountSchema, compactJwsSchema, kidSchema, sessionSchema } from '../schemas.ts';

/** Sign-in by signed challenge, who is signed in, sign-out. */
export function registerSessionRoutes(api: ApiRouter, ctx: AppContext, identity: IdentityService): void {
  const sessions = ctx.sessions;

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
      summary:
        'Sign in with a JWS (typ aura-auth+jwt) over { nonce, aud: the registry public URL, iat }, accepted once; sets an HttpOnly cookie and returns a bearer token',
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
}
