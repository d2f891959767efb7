// asl-validator 4 ships no type declarations; this is the part of its API the tests use.
declare module 'asl-validator' {
  interface ValidationError {
    readonly message?: string;
    readonly 'Error code'?: string;
    readonly Message?: string;
  }
  interface ValidatorOptions {
    readonly checkPaths: boolean;
    readonly checkArn: boolean;
  }
  function aslValidator(
    definition: unknown,
    options?: ValidatorOptions,
  ): { isValid: boolean; errors: ValidationError[]; errorsText: (separator?: string) => string };
  export = aslValidator;
}
