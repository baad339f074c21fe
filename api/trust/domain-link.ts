import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { findAccountByHandle, listKeys } from '../identity/repository.ts';
import { kidSchema } from '../identity/schemas.ts';
import { recordLogged } from '../log/record-logged.ts';
import type { Session } from '../identity/sessions.ts';
import { fetchWellKnown, parseDomain } from './domain-fetch.ts';
import { saveDomainLink } from './repository.ts';

/** Largest aura.json the registry reads. */
export const MAX_DOMAIN_DOCUMENT_BYTES = 16 * 1024;

/** `https://<domain>/.well-known/aura.json`: the organisation names its handle on this registry and the key ids it holds. */
export const domainDocumentSchema = z.object({
  handle: z.string().max(64),
  keys: z.array(kidSchema).min(1).max(20),
});

/**
 * Domain linkage: an organisation signed in on the registry proves it controls a domain by publishing aura.json
 * there; the registry fetches it (api/trust/domain-fetch.ts guards) and logs `organization.domain-linked`.
 * Evidence the operator can use before verifying; never by itself a reason for level 3.
 */
export class DomainLinker {
  constructor(private readonly ctx: AppContext) {}

  async link(session: Session, handle: string, domainInput: string) {
    if (session.handle !== handle) throw new AppError('forbidden', 'sign in as this organisation to link a domain to it');
    if (session.kind !== 'organization') throw new AppError('wrong_account_kind', 'only organisation accounts link a domain');
    const account = await findAccountByHandle(this.ctx.db, handle);
    if (!account) throw notFound(`account @${handle}`);
    const { allowLoopbackHttp, timeoutMs } = this.ctx.config.domainLink;
    const { domain } = parseDomain(domainInput, { allowLoopbackHttp });
    const { url, body } = await fetchWellKnown(domain, { allowLoopbackHttp, timeoutMs, maxBytes: MAX_DOMAIN_DOCUMENT_BYTES });
    const document = parseDocument(body);
    if (document.handle !== handle)
      throw new AppError('domain_document_invalid', `${url} names @${document.handle}, not @${handle}`, { reason: 'handle' });
    const active = new Set((await listKeys(this.ctx.db, account.id)).filter((k) => k.status === 'active').map((k) => k.kid));
    const foreign = document.keys.filter((kid) => !active.has(kid));
    if (foreign.length) {
      throw new AppError('domain_document_invalid', `${url} names keys that are not active keys of @${handle}: ${foreign.join(', ')}`, {
        reason: 'keys',
      });
    }
    const documentSha256 = createHash('sha256').update(body).digest('hex');
    const now = this.ctx.clock.now();
    const logIndex = await recordLogged(this.ctx.db, this.ctx.log, {
      events: [
        {
          type: 'organization.domain-linked',
          subjectId: account.id,
          account: { id: account.id, handle },
          domain,
          url,
          document: { handle: document.handle, keys: document.keys },
          documentSha256,
        },
      ],
      after: (trx, [logIndex]) =>
        saveDomainLink(trx, { accountId: account.id, domain, kids: document.keys, documentSha256, at: now, logIndex }),
    });
    await this.ctx.log.checkpoint();
    return { domain, url, kids: document.keys, documentSha256, linkedAt: now.toISOString(), logIndex };
  }
}

function parseDocument(body: Buffer): z.infer<typeof domainDocumentSchema> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new AppError('domain_document_invalid', 'aura.json is not JSON', { reason: 'json' });
  }
  const parsed = domainDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('domain_document_invalid', `aura.json: ${issue.path.join('.') || 'document'} ${issue.message}`, {
      reason: 'schema',
    });
  }
  return parsed.data;
}
