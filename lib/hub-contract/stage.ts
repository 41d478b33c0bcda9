/**
 * A deployment stage's name (`dev`, `prod`; `local` for npm start): lowercase letters, digits
 * and dashes, and no `-hub` word, so that no stage's hub names begin with another's prefix
 * (the things of a stage `dev-hub` would be `latchkey-dev-hub-hub-…`, under `dev`'s prefix).
 * On its own, so that the config schema carries no hub schemas into every bundle.
 */
export const stagePattern = /^(?!.*-hub(-|$))[a-z][a-z0-9-]{0,19}$/;
