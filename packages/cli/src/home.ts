import path from 'node:path';
import { eddyHome } from '@eddy/client';
import { DEFAULT_METRICS_PORT, DEFAULT_PORT } from '@eddy/protocol';

/** Eddy's home (the client's, where profiles are): the local cluster's pid file, logs and default data. */
export const localPaths = () => {
  const home = eddyHome();
  return {
    home,
    pidFile: path.join(home, 'eddy.pid'),
    stateFile: path.join(home, 'cluster.json'),
    logDir: path.join(home, 'logs'),
    logFile: path.join(home, 'logs', 'broker.log'),
    dataDir: path.join(home, 'data'),
  };
};

/** The default cluster endpoint (the ports are @eddy/protocol's, shared with the broker and client). */
export const DEFAULT_HOST = '127.0.0.1';
export { DEFAULT_PORT, DEFAULT_METRICS_PORT };
export const DEFAULT_ENDPOINT = `${DEFAULT_HOST}:${DEFAULT_PORT}`;
export const LOCAL_PROFILE = 'local';
