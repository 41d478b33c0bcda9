import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/** The newest Node.js runtime Lambda offers (cdk-nag L1); middy 7 needs Node 22 or later. */
export const functionRuntime = Runtime.NODEJS_24_X;

/**
 * The AWS SDK packages Latchkey's code imports. Every Node.js Lambda runtime ships them, so
 * they stay out of the bundles: bundled, the SDK with its credential chain adds ~350 KB and
 * takes every function past the 500 KB budget. Any other `@aws-sdk/*` package is
 * bundled; the bundle test fails if a bundle imports anything else from outside.
 */
export const runtimeProvidedModules = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-eventbridge',
  '@aws-sdk/client-iot-data-plane',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-sqs',
  '@aws-sdk/util-dynamodb',
];

/**
 * The official clients the lock providers use. Their code loads only on a provider's first call
 * (a dynamic import), so no function bundles them: the functions that call providers get them
 * installed beside the bundle (`nodeModules`), and the others never load them.
 */
export const providerClientModules = ['@seamapi/http', '@seamapi/webhook'];

/** How every function is bundled: one minified ESM file per function, with a source map. */
export const functionBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  // The maps are for line numbers in stack traces; embedding the sources would only grow the zip.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() for Node built-ins, which ESM does not define.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  externalModules: [...runtimeProvidedModules, ...providerClientModules],
  forceDockerBundling: false,
};

/** Functions that call lock providers: the same bundle, with the provider clients installed next to it. */
export const providerFunctionBundling: BundlingOptions = { ...functionBundling, nodeModules: providerClientModules };

/**
 * The esbuild options equivalent to a CDK bundling configuration, mapped the way
 * `NodejsFunction` passes them to esbuild's command line. Used to measure bundles in tests
 * without synthesizing.
 */
export function esbuildOptionsFor(bundling: BundlingOptions, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: bundling.target,
    format: bundling.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    mainFields: bundling.mainFields,
    external: bundling.externalModules ?? (bundling.bundleAwsSDK ? [] : ['@aws-sdk/*']),
    banner: bundling.banner === undefined ? undefined : { js: bundling.banner },
    logLevel: 'silent',
  };
}
