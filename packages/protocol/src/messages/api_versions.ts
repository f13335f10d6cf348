import { struct, array, i16, u16, option, string } from '../codec/schema.ts';
import type { Infer } from '../codec/schema.ts';

export const ApiVersionsRequest = struct({ clientVersion: string });
export type ApiVersionsRequest = Infer<typeof ApiVersionsRequest>;

export const ApiVersionsResponse = struct({
  errorCode: i16,
  errorMessage: option(string),
  serverVersion: string,
  apis: array(struct({ apiKey: u16, minVersion: i16, maxVersion: i16 })),
});
export type ApiVersionsResponse = Infer<typeof ApiVersionsResponse>;
