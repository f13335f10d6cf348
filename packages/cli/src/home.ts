import os from 'node:os';
import path from 'node:path';

/** Eddy's home: profiles, the local cluster's pid file, logs and default data. $EDDY_HOME or ~/.eddy. */
export function eddyHome(): string {
  const fromEnv = process.env.EDDY_HOME;
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(os.homedir(), '.eddy');
}

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

/** The default cluster endpoint (Fluvio's SC port is 9003). */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9003;
export const DEFAULT_METRICS_PORT = 9004;
export const DEFAULT_ENDPOINT = `${DEFAULT_HOST}:${DEFAULT_PORT}`;
export const LOCAL_PROFILE = 'local';
