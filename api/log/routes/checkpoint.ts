import type { ApiRouter } from '../../http/routes.ts';
import type { TransparencyLogService } from '../service.ts';

/** The signed checkpoint and the key that verifies it. */
export function registerCheckpointRoutes(api: ApiRouter, log: TransparencyLogService, tags: string[]): void {
  api.route(
    {
      method: 'get',
      path: '/v1/log/checkpoint',
      summary: 'The latest checkpoint: a C2SP tlog-checkpoint signed as a C2SP signed note',
      tags,
      responses: { 200: { description: 'the signed note', contentType: 'text/plain' } },
    },
    async ({ res }) => {
      const checkpoint = await log.checkpoint();
      res.setHeader('Cache-Control', 'no-cache');
      res.type('text/plain; charset=utf-8').send(checkpoint.note);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/log/vkey',
      summary: 'The log verifier key in note form <name>+<hex key id>+<base64(0x01 ‖ public key)>',
      tags,
      responses: { 200: { description: 'the verifier key', contentType: 'text/plain' } },
    },
    ({ res }) => {
      res.type('text/plain; charset=utf-8').send(`${log.verifierKey}\n`);
    },
  );
}
