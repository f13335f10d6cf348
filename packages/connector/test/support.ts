// Test helpers shared by the kit's tests (not shipped).
export * from '../src/index.ts';
export { Offset, OffsetKind } from '@eddy/client';
