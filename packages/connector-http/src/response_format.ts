/** How a response (or one streamed segment of it) becomes a record value, per Fluvio's matrix. */
export type OutputType = 'text' | 'json';
export type OutputParts = 'body' | 'full';

/** The status line and headers of a response, formatted once per response (not per segment). */
export interface ResponseHead {
  /** 'HTTP/1.1 200 OK\n' followed by 'name: value\n' lines and a blank line. */
  text: string;
  /** `"status":{…},"header":{…},` (the JSON members before "body"). */
  jsonMembers: string;
}

export function responseHead(status: number, statusText: string, headers: Headers): ResponseHead {
  let text = `HTTP/1.1 ${status} ${statusText}\n`;
  const header: Record<string, string> = {};
  headers.forEach((value, name) => {
    text += `${name}: ${value}\n`;
    header[name] = value;
  });
  const statusObj = { version: 'HTTP/1.1', code: status, string: statusText };
  return { text: `${text}\n`, jsonMembers: `"status":${JSON.stringify(statusObj)},"header":${JSON.stringify(header)},` };
}

/** The record value for `body` under the output options. */
export function formatRecord(body: string, type: OutputType, parts: OutputParts, head: ResponseHead | null): string {
  if (type === 'text') return parts === 'full' && head !== null ? head.text + body : body;
  const members = parts === 'full' && head !== null ? head.jsonMembers : '';
  return `{${members}"body":${JSON.stringify(body)}}`;
}
