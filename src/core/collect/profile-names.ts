// The collect profiles' names, apart from their collectors (profiles.ts), so that the command-line
// grammar can name them without loading the diagnostics' definitions.

export const PROFILES = ['basic', 'network', 'storage', 'updates'] as const;
export type BuiltinProfile = (typeof PROFILES)[number];
/** custom collectors from config.json form a profile of their own */
export type ProfileName = BuiltinProfile | 'custom';
export const ALL_PROFILES: readonly ProfileName[] = [...PROFILES, 'custom'];
