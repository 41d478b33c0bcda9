import { Tracer } from '@aws-lambda-powertools/tracer';
import { tracingOn } from '../../lib/observability';

/** The environments whose tracing decision matters: locally, in Lambda, SAM, the Amplify mock, turned off. */
const environments: Record<string, NodeJS.ProcessEnv> = {
  local: {},
  lambda: { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
  'lambda, tracing turned off': { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' },
  'lambda, tracing turned off in capitals': { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'FALSE' },
  'lambda, tracing said on': { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'true' },
  'SAM local': { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' },
  'Amplify mock': { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' },
};
const keys = ['AWS_EXECUTION_ENV', 'POWERTOOLS_TRACE_ENABLED', 'AWS_SAM_LOCAL'];

describe('whether the tracer is loaded', () => {
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it.each(Object.entries(environments))('%s: exactly where the Powertools Tracer would trace', (_name, env) => {
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, env);
    expect(tracingOn(process.env)).toBe(new Tracer({ serviceName: 'latchkey' }).isTracingEnabled());
  });

  it('is on in Lambda and off elsewhere', () => {
    expect(tracingOn(environments.lambda)).toBe(true);
    expect(tracingOn(environments.local)).toBe(false);
  });
});
