// Handlers build their default dependencies at import; in tests those are in-memory and quiet.
process.env.LATCHKEY_STORE ??= 'memory';
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
