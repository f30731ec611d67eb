/** `@aws-lambda-powertools/jmespath/functions` for the field-path resolver (index.ts): field paths call no functions. */
export class PowertoolsFunctions {}
