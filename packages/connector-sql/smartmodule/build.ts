// Builds the json-sql SmartModule: smartmodule/json-sql/build/json-sql.wasm.
// Run: npx node packages/connector-sql/smartmodule/build.ts (or npm run build:smartmodule -w @eddy/connector-sql)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from '@eddy/smartmodule-sdk/build';

export const JSON_SQL_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'json-sql');

/** The compiled module, built now when missing or older than its sources or the SDK. */
export async function jsonSqlWasm(): Promise<Uint8Array> {
  return (await buildIfStale({ projectDir: JSON_SQL_DIR })).wasm;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await buildIfStale({ projectDir: JSON_SQL_DIR });
  console.log(`${path.relative(process.cwd(), r.outFile)}  ${r.wasm.length} bytes`);
}
