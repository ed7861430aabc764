// Runs in every e2e file (vitest setupFiles): removes the sealed homes the file made, after the
// file's own afterAll hooks have removed its containers.
import { afterAll } from 'vitest';
import { removeIsolatedHomes } from './helpers.js';

afterAll(removeIsolatedHomes);
