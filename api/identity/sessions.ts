import { randomBytes, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import {
  deleteExpiredSessions,
  findAccountById,
  findKey,
  findSession,
  getOrCreateSecret,
  insertSession,
  revokeSession,
} from './repository.ts';

export const SESSION_COOKIE = 'aura_session';
const SESSION_TTL_SECONDS = 60 * 60;
const ISSUER = 'aura';
const AUDIENCE = 'aura-session';

export interface Session {
  accountId: string;
  handle: string;
  kind: 'artist' | 'organization';
  kid: string;
}

/**
 * Issues and checks short-lived HS256 session tokens with a secret shared by all API processes. Each
 * token names (`jti`) a row in the sessions table and is honoured only while that row is not revoked,
 * so signing out ends the session at once in every process sharing the database.
 */
/** What sessions are made of: their table, the time, and the secret and cookie settings of the configuration. */
export interface SessionDeps {
  db: Kysely<Database>;
  clock: Clock;
  config: Pick<Config, 'sessionSecret' | 'publicUrl'>;
}

export class SessionIssuer {
  private secret: Uint8Array | undefined;
  constructor(private readonly deps: SessionDeps) {}

  private async key(): Promise<Uint8Array> {
    if (!this.secret) {
      const value =
        this.deps.config.sessionSecret ??
        (await getOrCreateSecret(this.deps.db, 'session-hmac', () => randomBytes(32).toString('base64url')));
      this.secret = new TextEncoder().encode(value);
    }
    return this.secret;
  }

  async issue(session: Session): Promise<{ token: string; expiresAt: Date }> {
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
    const id = randomUUID();
    await insertSession(this.deps.db, { id, accountId: session.accountId, kid: session.kid, createdAt: now, expiresAt });
    await deleteExpiredSessions(this.deps.db, now);
    const token = await new SignJWT({ handle: session.handle, kind: session.kind, kid: session.kid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(session.accountId)
      .setJti(id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(await this.key());
    return { token, expiresAt };
  }

  /** The session of a request, from the cookie or a bearer token; undefined when there is none. */
  async fromRequest(req: Request): Promise<Session | undefined> {
    const token = bearerToken(req) ?? cookie(req, SESSION_COOKIE);
    if (!token) return undefined;
    const claims = await this.verifyToken(token);
    const stored = await findSession(this.deps.db, claims.jti);
    if (!stored || stored.account_id !== claims.sub) throw new AppError('unauthenticated', 'the session is unknown; sign in again');
    if (stored.revoked_at) throw new AppError('unauthenticated', 'this session was signed out; sign in again');
    const kid = stored.kid;
    const key = await findKey(this.deps.db, kid);
    if (key?.status !== 'active' || key.account_id !== claims.sub) {
      throw new AppError('unauthenticated', 'the key of this session is no longer active; sign in again');
    }
    const account = await findAccountById(this.deps.db, key.account_id);
    if (!account) throw new AppError('unauthenticated', 'the account of this session does not exist');
    return { accountId: account.id, handle: account.handle, kind: account.kind, kid };
  }

  /** Sign-out: revokes the request's session (bearer or cookie) if it has a valid one. An invalid or expired token has nothing to revoke and is ignored. */
  async revoke(req: Request): Promise<void> {
    let token: string | undefined;
    try {
      token = bearerToken(req) ?? cookie(req, SESSION_COOKIE);
    } catch {
      token = cookie(req, SESSION_COOKIE);
    }
    if (!token) return;
    const claims = await this.verifyToken(token).catch(() => undefined);
    if (claims) await revokeSession(this.deps.db, claims.jti, this.deps.clock.now());
  }

  private async verifyToken(token: string): Promise<{ jti: string; sub: string }> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, await this.key(), {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.deps.clock.now(),
      }));
    } catch {
      throw new AppError('unauthenticated', 'the session is invalid or expired; sign in again');
    }
    if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string') {
      throw new AppError('unauthenticated', 'the session is from an older version of the registry; sign in again');
    }
    return { jti: claims.jti, sub: claims.sub };
  }

  async require(req: Request): Promise<Session> {
    const session = await this.fromRequest(req);
    if (!session) throw new AppError('unauthenticated', 'sign in first (session cookie or bearer token)');
    return session;
  }

  setCookie(res: Response, token: string, expiresAt: Date): void {
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.deps.config.publicUrl.startsWith('https:'),
      path: '/',
      expires: expiresAt,
    });
  }

  clearCookie(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
  }
}

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header);
  if (!match) throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}
