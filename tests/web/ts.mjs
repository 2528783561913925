// Registers ts-hooks.mjs; import this first, then the web's .ts files.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
