'use strict';
// Points host names at other addresses inside this process only, as a CI
// job's /etc/hosts line or `docker run --add-host` does for a container,
// and never touches /etc/hosts. Loaded first with
//   node --require ./resolve_override.js ...
// MNS_TEST_RESOLVE="dybaseapi.aliyuncs.com=127.0.0.1,<host>=<address>".
// Node's net module looks dns.lookup up on every connect, so https, the
// SDKs' agents and fetch all go through this.
const dns = require('node:dns');
const net = require('node:net');

const table = new Map((process.env.MNS_TEST_RESOLVE || '')
  .split(',').filter(Boolean).map((pair) => pair.split('=')));
const systemLookup = dns.lookup;

dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const address = table.get(hostname);
  if (address === undefined) return systemLookup.call(this, hostname, options, callback);
  const family = net.isIPv6(address) ? 6 : 4;
  if (options && options.all) {
    process.nextTick(callback, null, [{ address, family }]);
  } else {
    process.nextTick(callback, null, address, family);
  }
  return {};
};
