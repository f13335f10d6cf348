import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { CliError } from '../errors.ts';

/**
 * Refuses to start a cluster on a port something already listens on, saying which process holds
 * it (when lsof can tell) and which flag picks another: the broker's own EADDRINUSE would only
 * show up in its log. Port 0 (any free port) and -1 (disabled) are not checked.
 */
export async function assertPortsFree(host: string, ports: readonly { flag: string; port: number }[]): Promise<void> {
  for (const { flag, port } of ports) {
    if (port <= 0) continue;
    const code = await tryListen(host, port);
    if (code === 'EADDRINUSE') {
      const holder = portHolder(port);
      throw new CliError(`port ${port} on ${host} is already in use${holder ? ` by ${holder}` : ''}; stop it or choose another port with ${flag} (${flag} 0 picks a free one)`);
    }
    if (code === 'EACCES') throw new CliError(`no permission to listen on port ${port} on ${host}; choose a port above 1023 with ${flag}`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${host}: it is not an address of this machine (check --host)`);
  }
}

function tryListen(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'ERROR'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** 'node (pid 1234)' for the process listening on `port`, if lsof is there to ask; else null. */
function portHolder(port: number): string | null {
  try {
    const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = /^p(\d+)$/m.exec(out)?.[1];
    const command = /^c(.+)$/m.exec(out)?.[1];
    return pid === undefined ? null : `${command ?? 'a process'} (pid ${pid})`;
  } catch {
    return null;
  }
}
