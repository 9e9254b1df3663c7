// portmatrix's own version, from package.json (src/ and dist/ are both one level below it).
import { createRequire } from 'node:module';

export const VERSION: string = createRequire(import.meta.url)('../package.json').version;
