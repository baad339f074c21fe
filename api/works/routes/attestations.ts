import { z } from 'zod';
import type { ApiRouter } from '../../http/routes.ts';
import { ATTESTATION_TYPES } from '../attestation-service.ts';
import { signedAction, signedDraft, text, workParams, type WorkRouteDeps } from './inputs.ts';

/** Organisations attest to works: prepare, issue, revoke. */
export function registerAttestationRoutes(api: ApiRouter, { attestations, session }: WorkRouteDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/attestations/drafts',
      summary: 'An organisation prepares an attestation; returns the credential payload to sign',
      tags: ['attestations'],
      auth: true,
      params: workParams,
      body: z.object({
        type: z.enum(ATTESTATION_TYPES),
        note: text(2000).optional(),
        date: z.iso.date().optional(),
      }),
      responses: { 201: { description: 'draft and payload to sign' } },
    },
    async ({ req, params, body }) => attestations.createAttestationDraft(await session(req), params.id, body),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/works/:id/attestations',
      summary: 'Issue a signed attestation (typ vc+jwt) about a work',
      tags: ['attestations'],
      auth: true,
      params: workParams,
      body: signedDraft,
      responses: { 201: { description: 'issued' } },
    },
    async ({ req, params, body }) => attestations.issueAttestation(await session(req), params.id, body.draftId, body.jws),
  );
  api.route(
    {
      method: 'post',
      path: '/v1/attestations/:id/revoke',
      summary: 'The issuer revokes an attestation (aura-action+jwt { action: "attestation.revoke", attestationId, iat })',
      tags: ['attestations'],
      auth: true,
      params: workParams,
      body: signedAction,
      responses: { 200: { description: 'revoked' } },
    },
    async ({ req, params, body }) => attestations.revokeAttestation(await session(req), params.id, body.jws),
  );
}
