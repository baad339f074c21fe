import { z } from 'zod';
import { publicJwkSchema } from './jwk.ts';
import { organizationVerificationSchema } from '../works/schemas.ts';

export const handleSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{1,31}$/, 'a handle is 2-32 characters: lowercase letters, digits, - and _')
  .meta({ example: 'ada' });

export const compactJwsSchema = z
  .string()
  .max(64 * 1024)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS');

export const kidSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be an RFC 7638 SHA-256 thumbprint');

export const accountKindSchema = z.enum(['artist', 'organization']);

export const keySchema = z
  .object({
    kid: z.string(),
    jwk: z.object({ kty: z.string(), crv: z.string(), x: z.string() }),
    status: z.enum(['active', 'revoked']),
    addedAt: z.string(),
    addedLogIndex: z.number().int().nullable(),
    revokedAt: z.string().nullable(),
    revokedLogIndex: z.number().int().nullable(),
  })
  .meta({ id: 'AccountKey' });

export const accountSchema = z
  .object({
    id: z.string(),
    handle: z.string(),
    kind: accountKindSchema,
    displayName: z.string(),
    bio: z.string(),
    website: z.string().nullable(),
    profileSigned: z.boolean().meta({
      description:
        'true when displayName, bio and website are covered by the proof the account signed at creation; false for accounts created before profiles were signed',
    }),
    createdAt: z.string(),
    logIndex: z.number().int().nullable(),
    keys: z.array(keySchema),
    organization: z
      .object({
        verified: z.boolean(),
        label: z.string(),
        verification: organizationVerificationSchema.nullable(),
        domains: z.array(z.object({ domain: z.string(), kids: z.array(z.string()), linkedAt: z.string(), logIndex: z.number().int() })),
      })
      .optional()
      .describe("organisations only: the operator's verification (see OrganizationVerification) and the domains it linked"),
  })
  .meta({ id: 'Account' });

/** A sign-in's answer; the bearer token is also set as an HttpOnly cookie. */
export const sessionSchema = z.object({ token: z.string(), expiresAt: z.string(), account: accountSchema });

export const createAccountBody = z.object({
  handle: handleSchema,
  displayName: z.string().trim().min(1).max(80),
  kind: accountKindSchema,
  bio: z.string().max(2000).optional(),
  website: z
    .url({ protocol: /^https?$/ })
    .max(300)
    .optional(),
  jwk: publicJwkSchema,
  proof: compactJwsSchema.meta({
    description:
      'JWS (typ aura-account+jwt) by the new key over { handle, kind, jwk, displayName, bio, website, iat } (bio and website may be left out when absent)',
  }),
});
