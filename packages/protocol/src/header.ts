import { struct, i16, i32, u16, string } from './codec/schema.ts';
import type { Infer } from './codec/schema.ts';

/** Every request body starts with this header. */
export const RequestHeader = struct({
  apiKey: u16,
  apiVersion: i16,
  correlationId: i32,
  clientId: string,
});
export type RequestHeader = Infer<typeof RequestHeader>;

/** Every response body starts with the correlation id of the request it answers. */
export const ResponseHeader = struct({ correlationId: i32 });
export type ResponseHeader = Infer<typeof ResponseHeader>;
