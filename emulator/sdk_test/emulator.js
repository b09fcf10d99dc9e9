'use strict';
// Starts the built mns-emulator binary on a free port for one test file and
// stops it afterwards. The binary comes from MNS_EMULATOR_BIN (set by ctest).
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const DEFAULT_ACCOUNT = '1234567890123456';
const DEFAULT_KEY = { id: 'mns-emulator-key', secret: 'mns-emulator-secret' };

async function startEmulator(extraArgs = []) {
  const bin = process.env.MNS_EMULATOR_BIN;
  if (!bin) throw new Error('MNS_EMULATOR_BIN must name the mns-emulator binary');
  const child = spawn(bin, ['--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout });
  let caFile;
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start')), 10000);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    lines.on('line', (line) => {
      // The ready line; with --tls it names the CA to trust.
      const match = /^mns-emulator listening on (https?:\/\/\S+)(?: \(trust the CA in (.+)\))?$/.exec(line);
      if (match) {
        clearTimeout(timer);
        caFile = match[2];
        resolve(match[1]);
      }
    });
  });
  return {
    address,
    caFile,
    port: Number(new URL(address).port),
    // Stops the emulator with SIGTERM; resolves to its exit code (0 when it
    // stopped gracefully).
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
    async control(method, path, body) {
      const response = await fetch(address + path, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return response.json();
    },
  };
}

module.exports = { startEmulator, DEFAULT_ACCOUNT, DEFAULT_KEY };
