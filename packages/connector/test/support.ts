// Test helpers shared by the kit's tests (not shipped).
export * from '../src/mod.ts';
export * from '../src/internal_mod.ts';
export { Offset, OffsetKind } from '@eddy/client';
