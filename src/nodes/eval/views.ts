/**
 * SQL views over the recorded `episodes` table. PLACEHOLDER until the engine's notion of "current rows" is known.
 */
export const views: Readonly<Record<string, string>> = {};
