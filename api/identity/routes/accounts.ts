import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import type { AppContext } from '../../context.ts';
import type { IdentityService } from '../service.ts';
import { accountSchema, createAccountBody, handleSchema } from '../schemas.ts';

/** Creating an account and reading its public profile. */
export function registerAccountRoutes(api: ApiRouter, ctx: AppContext, identity: IdentityService): void {
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
}
