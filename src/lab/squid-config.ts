/** Where a lab squid listens and whom it serves. */
export interface SquidConfigOptions {
  /** Address and TCP port of `http_port` (e.g. `100.64.0.1`, 3128). */
  listen: string;
  port: number;
  /** CIDR blocks allowed to use the proxy (`acl lan src`). */
  clients: readonly string[];
  /** Ports CONNECT may reach (`acl SSL_ports port`); an office proxy allows 443 only. */
  connectPorts: readonly number[];
  /** Ports a plain HTTP GET may reach (`acl Safe_ports port`); none: only CONNECT is served. */
  getPorts?: readonly number[];
  /** `user:password` of a Basic login the proxy wants (answers 407 without it); none: no login. */
  login?: { passwordFile: string };
}

/**
 * A minimal squid.conf for the lab and the tests (Debian squid 5): no cache, no access/store log, the cache
 * log to /dev/null (`-d 1` prints it on stderr), no PID file (started with `-N` and stopped by PID), no
 * pinger, ICP, HTCP or cache digests, DNS only toward loopback (the lab's targets are IP literals), and
 * `http_access` allowing CONNECT only from `clients` to `connectPorts` (403 otherwise).
 */
export function squidConfig(o: SquidConfigOptions): string {
  const get = o.getPorts ?? [];
  const auth = o.login
    ? [
        `auth_param basic program /usr/lib/squid/basic_ncsa_auth ${o.login.passwordFile}`,
        'auth_param basic realm ice-doctor-lab',
        'acl login proxy_auth REQUIRED',
        'http_access deny !login',
      ]
    : [];
  return [
    `http_port ${o.listen}:${o.port}`,
    'visible_hostname ice-doctor-lab-proxy',
    'pid_filename none',
    'coredump_dir none',
    'cache deny all',
    'cache_mem 8 MB',
    'access_log none',
    'cache_store_log none',
    'cache_log /dev/null',
    'logfile_rotate 0',
    'pinger_enable off',
    'icp_port 0',
    'htcp_port 0',
    'digest_generation off',
    'dns_nameservers 127.0.0.1',
    'shutdown_lifetime 0 seconds',
    `acl lan src ${o.clients.join(' ')}`,
    `acl SSL_ports port ${o.connectPorts.join(' ')}`,
    ...(get.length > 0 ? [`acl Safe_ports port ${get.join(' ')}`] : []),
    'acl CONNECT method CONNECT',
    'http_access deny CONNECT !SSL_ports',
    ...(get.length > 0 ? ['http_access deny !CONNECT !Safe_ports'] : ['http_access deny !CONNECT']),
    'http_access deny !lan',
    ...auth,
    'http_access allow lan',
    'http_access deny all',
    '',
  ].join('\n');
}
