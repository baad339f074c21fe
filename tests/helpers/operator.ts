import { loadOperatorKey } from '../../api/trust/operator-key.ts';
import type { TestServer } from './server.ts';

/**
 * The operator's two commands against an in-process test server: the real service, signing with the operator key
 * the server created in its data directory (tests/trust covers the `aura operator` command line itself).
 */
const operatorKey = (server: TestServer) =>
  loadOperatorKey({ envKey: server.ctx.config.operatorKey, dataDir: server.dataDir, create: false });

export async function operatorVerifies(server: TestServer, handle: string, options: { note?: string; domain?: string } = {}) {
  return server.ctx.trust.verifyOrganization(await operatorKey(server), handle, options);
}

export async function operatorWithdraws(server: TestServer, handle: string, reason: string) {
  return server.ctx.trust.withdrawOrganization(await operatorKey(server), handle, reason);
}
