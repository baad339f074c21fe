import { rateLimit } from 'express-rate-limit';
import type { RequestHandler } from 'express';
import type { Config } from '../config.ts';
import type { RateLimits } from '../context.ts';
import { AppError } from '../errors.ts';

const WINDOW_MS = 60_000;

function limiter(name: string, perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res, next) => {
      const reset = res.getHeader('RateLimit-Reset') ?? Math.ceil(WINDOW_MS / 1000);
      res.setHeader('Retry-After', String(reset));
      next(new AppError('rate_limited', `too many ${name} requests; retry after ${reset} seconds`));
    },
  });
}

/** In-process limits per client address (behind a proxy set AURA_TRUST_PROXY so the address is the client's). */
export function createRateLimits(config: Pick<Config, 'rateLimits'>): RateLimits {
  return {
    signIn: limiter('sign-in', config.rateLimits.signInPerMinute),
    register: limiter('registration', config.rateLimits.registerPerMinute),
    verify: limiter('verify', config.rateLimits.verifyPerMinute),
  };
}
