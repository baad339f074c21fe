import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors.ts';
import { toProblem, VERIFICATION_FAILED_STATUS } from '../../api/http/problem.ts';
import { VerificationError } from '../../api/log/verify/errors.ts';

describe('problem mapping', () => {
  it('answers a failed verification with 422 and the verification code', () => {
    expect(VERIFICATION_FAILED_STATUS).toBe(422);
    expect(toProblem(new VerificationError('checkpoint_signature_invalid', 'the signature does not verify'))).toEqual({
      status: 422,
      code: 'checkpoint_signature_invalid',
      message: 'the signature does not verify',
      details: undefined,
    });
  });

  it('keeps an AppError as it is and hides anything else behind 500 internal', () => {
    expect(toProblem(new AppError('not_found', 'work not found'))).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'work not found',
    });
    expect(toProblem(new Error('secret stack'))).toMatchObject({ status: 500, code: 'internal', message: 'internal server error' });
  });
});
