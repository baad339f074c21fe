import type { Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { compactJwsSchema } from '../../identity/schemas.ts';
import type { Session } from '../../identity/sessions.ts';
import type { RegistrationService } from '../registration-service.ts';
import type { AttestationService } from '../attestation-service.ts';
import type { WorkReader } from '../read-service.ts';

/** What every works route module needs: the context, the three services and the session check. */
export interface WorkRouteDeps {
  ctx: AppContext;
  registration: RegistrationService;
  attestations: AttestationService;
  reader: WorkReader;
  session: (req: Request) => Promise<Session>;
}

export const workParams = z.object({ id: z.uuid() });
export const text = (max: number) => z.string().trim().max(max);
export const signedDraft = z.object({ draftId: z.uuid(), jws: compactJwsSchema });
export const signedAction = z.object({ jws: compactJwsSchema });

export const requireFile = (file: Express.Multer.File | undefined) => {
  if (!file) throw new AppError('bad_request', 'attach the image in the multipart field "image"');
  return file.buffer;
};
