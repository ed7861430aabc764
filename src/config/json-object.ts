// config.json's sections are JSON objects keyed by data (toolbox names, container ids): each is
// read as a copy, changed, and written back whole, and a section left empty is left out.

export type JsonObject = Record<string, unknown>;

/** The object at data[key], as a copy to change; anything else there (absent, an array, a value) reads as empty. */
export function objectAt(data: JsonObject, key: string): JsonObject {
  const raw = data[key];
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as JsonObject) } : {};
}

/** data without the given keys; the others keep their order. */
export function omit(data: JsonObject, ...keys: string[]): JsonObject {
  return Object.fromEntries(Object.entries(data).filter(([key]) => !keys.includes(key)));
}

/** data with value at key, or without key when value is empty. */
export function withSection(data: JsonObject, key: string, value: JsonObject): JsonObject {
  return Object.keys(value).length > 0 ? { ...data, [key]: value } : omit(data, key);
}
