import type { ApiRouter } from './http/routes.ts';
import type { AppContext } from './context.ts';
import { registerSystemRoutes } from './system/routes.ts';

export type Feature = (api: ApiRouter, ctx: AppContext) => void | Promise<void>;

/** Every feature folder contributes its routes here, in this order. */
export const features: Feature[] = [registerSystemRoutes];
