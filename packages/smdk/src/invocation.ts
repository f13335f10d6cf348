import fs from 'node:fs';
import path from 'node:path';

/**
 * How the user should type smdk in the hints we print: `smdk` when an `smdk` is on PATH (a global
 * install), else `npx smdk` (installed in a project only). PATH entries inside node_modules/.bin
 * are ignored: npm and npx add them while running a script, not in the user's own shell.
 */
export function smdkCommand(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '' && !d.split(path.sep).includes('node_modules'));
  const names = process.platform === 'win32' ? ['smdk.cmd', 'smdk.exe', 'smdk'] : ['smdk'];
  for (const dir of dirs) {
    for (const n of names) {
      try {
        fs.accessSync(path.join(dir, n), fs.constants.X_OK);
        return 'smdk';
      } catch {
        // not here
      }
    }
  }
  return 'npx smdk';
}
