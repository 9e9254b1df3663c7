// Kept only for scripts/bench.ts (owned by the lead's zx rewrite): import Arch
// and the cell types from core/ instead; delete this file once nothing imports it.
export type { Arch } from '../core/arch.js';
