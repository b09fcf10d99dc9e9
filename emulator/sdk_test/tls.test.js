'use strict';
// The official SDKs over HTTPS, unchanged: the emulator runs with --tls,
// the SDKs trust its CA through NODE_EXTRA_CA_CERTS and reach the cloud's
// host names (dysmsapi, dybaseapi, <account>.mns.cn-hangzhou.aliyuncs.com)
// through a name override inside the child process only.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator } = require('./emulator');

const ALICOM_ACCOUNT = '1943695596114318';
const HOSTS = ['dysmsapi.aliyuncs.com', 'dybaseapi.aliyuncs.com',
  `${ALICOM_ACCOUNT}.mns.cn-hangzhou.aliyuncs.com`,
  `${ALICOM_ACCOUNT}.mns.cn-beijing.aliyuncs.com`];

let emulator;
let tlsDir;

before(async () => {
  tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mns-tls-'));
  emulator = await startEmulator(['--tls', '--tls-dir', tlsDir]);
});

after(async () => {
  assert.equal(await emulator.stop(), 0);
  fs.rmSync(tlsDir, { recursive: true, force: true });
});

// Runs tls_client.js with `env` added; returns its JSON line.
function runClient(env, region = 'cn-hangzhou') {
  const out = execFileSync(process.execPath,
    ['--require', './resolve_override.js', 'tls_client.js', String(emulator.port), region], {
      cwd: __dirname,
      env: {
        ...process.env,
        MNS_TEST_RESOLVE: HOSTS.map((host) => `${host}=127.0.0.1`).join(','),
        ...env,
      },
      timeout: 30000,
    });
  return JSON.parse(out.toString());
}

test('the ready line gives https:// and the CA to trust', () => {
  assert.match(emulator.address, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(emulator.caFile, path.join(tlsDir, 'ca.pem'));
});

test('SendSms, the token and the SmsReport queue over HTTPS at the cloud\'s host names', () => {
  const result = runClient({ NODE_EXTRA_CA_CERTS: emulator.caFile });
  assert.equal(result.error, undefined, result.message);
  assert.match(result.biz_id, /^\d{18}\^0$/);
  assert.equal(result.receipt.biz_id, result.biz_id);
  assert.equal(result.receipt.phone_number, '13800000000');
  assert.equal(result.receipt.success, true);
});

test('without the CA the SDKs refuse the certificate', () => {
  const result = runClient({ NODE_EXTRA_CA_CERTS: '' });
  assert.equal(result.error, 'SELF_SIGNED_CERT_IN_CHAIN', result.message);
});

test('a region the certificate does not cover is refused by name (--tls-region adds it)', () => {
  const result = runClient({ NODE_EXTRA_CA_CERTS: emulator.caFile }, 'cn-beijing');
  assert.equal(result.error, 'ERR_TLS_CERT_ALTNAME_INVALID', result.message);
  assert.match(result.message, /cn-beijing/);
});
