/** Expected refusals are values; the HTTP edge turns them into AWS JSON errors. */
export type StepFunctionsErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'ValidationException'
  | 'ServiceUnavailable';

export interface StepFunctionsError {
  name: StepFunctionsErrorName;
  message: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: StepFunctionsError };

export function success<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function refusal(name: StepFunctionsErrorName, message: string): { ok: false; error: StepFunctionsError } {
  return { ok: false, error: { name, message } };
}
