#!/usr/bin/env node
// The installed `mqtt-source` command. Plain JavaScript that any Node parses, so an older Node gets one
// line saying what to do instead of a stack trace. The program itself is the compiled code in
// dist/ (the `source` condition, which the repo runs with, swaps in the TypeScript sources).
var major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write('mqtt-source: needs Node.js 22 or newer (this is ' + process.version + '); install a current LTS from https://nodejs.org\n');
  process.exit(1);
}
import('@eddy/connector-mqtt/entry').then(function (m) { return m.main('mqtt-source', process.argv); });
