import { VerificationError } from '../../api/log/verify/errors.ts';

const describeFailure = (err: unknown) => (err instanceof VerificationError ? err.code : `not a VerificationError: ${String(err)}`);

/** The code a verification step fails with, 'passed' when it does not fail, or what else it threw. */
export function codeOf(step: () => unknown): string {
  try {
    step();
  } catch (err) {
    return describeFailure(err);
  }
  return 'passed';
}

/** codeOf for an asynchronous step (signature checks run on WebCrypto). */
export const codeOfAsync = (step: Promise<unknown>): Promise<string> => step.then(() => 'passed', describeFailure);
