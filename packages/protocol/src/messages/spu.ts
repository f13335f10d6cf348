import { struct, array, i16, i32, option, string } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

export const SpuSpec = struct({ id: i32, host: string, port: i32, rack: option(string) });
export type SpuSpec = Infer<typeof SpuSpec>;

/** resolution: 'Online' | 'Offline' */
export const SpuStatus = struct({ resolution: string });
export type SpuStatus = Infer<typeof SpuStatus>;

export const Spu = struct({ name: string, spec: SpuSpec, status: SpuStatus });
export type Spu = Infer<typeof Spu>;

export const ListSpusRequest = struct({});
export type ListSpusRequest = Infer<typeof ListSpusRequest>;

export const ListSpusResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  spus: array(Spu),
});
export type ListSpusResponse = Infer<typeof ListSpusResponse>;
