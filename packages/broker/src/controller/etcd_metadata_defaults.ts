/** The key prefix of Eddy's metadata in etcd unless `--metadata etcd://…/PREFIX/` says otherwise. */
export const DEFAULT_ETCD_PREFIX = '/eddy/';
