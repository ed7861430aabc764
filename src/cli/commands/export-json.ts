// An export as --json prints it (export, install --export).
import type { Exported } from '../../core/export/export-tools.js';

export const exportedJson = (e: Exported) => ({ name: e.name, path: e.path, wrapper: e.wrapper });
