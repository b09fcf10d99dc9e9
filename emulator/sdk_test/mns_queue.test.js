'use strict';
// The official Node.js MNS SDK (@alicloud/mns, from npm) against the built
// emulator, unchanged but for the endpoint.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const MNS = require('@alicloud/mns');
const { startEmulator, DEFAULT_ACCOUNT, DEFAULT_KEY } = require('./emulator');

let emulator;
let client;

function makeClient(secret = DEFAULT_KEY.secret) {
  return new MNS(DEFAULT_ACCOUNT, {
    endpoint: emulator.address,
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: secret,
  });
}

// Resolves to the SDK's error name ("MNS<Code>Error") of a failing call.
async function errorName(promise) {
  try {
    await promise;
  } catch (err) {
    return err.name;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  emulator = await startEmulator();
  client = makeClient();
});

after(async () => {
  assert.equal(await emulator.stop(), 0, 'SIGTERM stops the emulator gracefully');
});

test('queue lifecycle: create, idempotent create, conflict, get, set, delete', async () => {
  const created = await client.createQueue('sdk-life', { VisibilityTimeout: 40 });
  assert.equal(created.code, 201);
  assert.equal(created.headers.location, `${emulator.address}/queues/sdk-life`);

  const same = await client.createQueue('sdk-life', { VisibilityTimeout: 40 });
  assert.equal(same.code, 204);

  assert.equal(await errorName(client.createQueue('sdk-life', { VisibilityTimeout: 50 })),
    'MNSQueueAlreadyExistError');

  const attrs = await client.getQueueAttributes('sdk-life');
  assert.equal(attrs.code, 200);
  assert.equal(attrs.body.QueueName, 'sdk-life');
  assert.equal(attrs.body.VisibilityTimeout, '40');
  assert.equal(attrs.body.LoggingEnabled, 'False');
  assert.match(attrs.body.CreateTime, /^\d{10}$/);
  assert.match(attrs.headers['x-mns-request-id'] ?? '', /^$|^[0-9A-F]{24}$/);

  const set = await client.setQueueAttributes('sdk-life', { DelaySeconds: 5, LoggingEnabled: 'True' });
  assert.equal(set.code, 204);
  const after = await client.getQueueAttributes('sdk-life');
  assert.equal(after.body.DelaySeconds, '5');
  assert.equal(after.body.VisibilityTimeout, '40');
  assert.equal(after.body.LoggingEnabled, 'True');

  assert.equal(await errorName(client.createQueue('sdk-life', { PollingWaitSeconds: 60 })),
    'MNSInvalidArgumentError');

  const deleted = await client.deleteQueue('sdk-life');
  assert.equal(deleted.code, 204);
  assert.equal(await errorName(client.getQueueAttributes('sdk-life')), 'MNSQueueNotExistError');
});

test('list queues with a prefix and paging', async () => {
  for (const name of ['page-a', 'page-b', 'page-c', 'other-x']) {
    await client.createQueue(name);
  }
  const first = await client.listQueue(undefined, 2, 'page-');
  assert.equal(first.code, 200);
  assert.deepEqual(first.body.map((q) => q.QueueURL),
    [`${emulator.address}/queues/page-a`, `${emulator.address}/queues/page-b`]);

  // The SDK drops NextMarker from the body it returns, so read it from a
  // second call that starts at page-c's marker: base64("page-c").
  const marker = Buffer.from('page-c').toString('base64');
  const second = await client.listQueue(marker, 2, 'page-');
  assert.deepEqual(second.body.map((q) => q.QueueURL), [`${emulator.address}/queues/page-c`]);
});

test('send and receive with waitseconds, then delete', async () => {
  await client.createQueue('sdk-msg');
  const sent = await client.sendMessage('sdk-msg', { MessageBody: 'hello', Priority: 3 });
  assert.equal(sent.code, 201);
  assert.match(sent.body.MessageId, /^[0-9A-F]{32}$/);
  assert.equal(sent.body.MessageBodyMD5, '5D41402ABC4B2A76B9719D911017C592');

  const got = await client.receiveMessage('sdk-msg', 5);
  assert.equal(got.code, 200);
  assert.equal(got.body.MessageBody, 'hello');
  assert.equal(got.body.MessageId, sent.body.MessageId);
  assert.equal(got.body.DequeueCount, '1');
  assert.equal(got.body.Priority, '3');
  assert.match(got.body.ReceiptHandle, /^[A-Za-z0-9-]+$/);
  for (const key of ['EnqueueTime', 'FirstDequeueTime', 'NextVisibleTime']) {
    assert.match(got.body[key], /^\d{13}$/, key);
  }

  const deleted = await client.deleteMessage('sdk-msg', got.body.ReceiptHandle);
  assert.equal(deleted.code, 204);
  assert.equal(await errorName(client.deleteMessage('sdk-msg', got.body.ReceiptHandle)),
    'MNSMessageNotExistError');
});

test('a parked receive returns as soon as a message is sent', async () => {
  await client.createQueue('sdk-wake');
  const started = Date.now();
  const receiving = client.receiveMessage('sdk-wake', 10);
  setTimeout(() => client.sendMessage('sdk-wake', { MessageBody: 'wake' }), 200);
  const got = await receiving;
  assert.equal(got.body.MessageBody, 'wake');
  assert.ok(Date.now() - started < 5000, 'returned long before the 10 s wait');
});

test('batch send 16, batch receive, batch delete with one stale handle', async () => {
  await client.createQueue('sdk-batch');
  const messages = Array.from({ length: 16 }, (_, i) => ({ MessageBody: `m${i}` }));
  const sent = await client.batchSendMessage('sdk-batch', messages);
  assert.equal(sent.code, 201);
  assert.equal(sent.body.length, 16);
  for (const entry of sent.body) {
    assert.deepEqual(Object.keys(entry).sort(), ['MessageBodyMD5', 'MessageId']);
  }

  const got = await client.batchReceiveMessage('sdk-batch', 16, 1);
  assert.equal(got.code, 200);
  assert.equal(got.body.length, 16);
  assert.deepEqual(got.body.map((m) => m.MessageBody), messages.map((m) => m.MessageBody));

  const handles = got.body.map((m) => m.ReceiptHandle);
  await client.deleteMessage('sdk-batch', handles[0]);  // now stale
  const deleted = await client.batchDeleteMessage('sdk-batch', handles.slice(0, 4));
  assert.equal(deleted.code, 404);
  assert.equal(deleted.body.length, 1);
  assert.deepEqual(deleted.body[0], {
    ErrorCode: 'MessageNotExist',
    ErrorMessage: 'Message not exist.',
    ReceiptHandle: handles[0],
  });
  const rest = await client.batchDeleteMessage('sdk-batch', handles.slice(4));
  assert.equal(rest.code, 204);
  const attrs = await client.getQueueAttributes('sdk-batch');
  assert.equal(attrs.body.InactiveMessages, '0');
  assert.equal(attrs.body.ActiveMessages, '0');
});

test('peek, change visibility, delete', async () => {
  await client.createQueue('sdk-peek');
  await client.sendMessage('sdk-peek', { MessageBody: 'look' });
  const peeked = await client.peekMessage('sdk-peek');
  assert.equal(peeked.code, 200);
  assert.equal(peeked.body.MessageBody, 'look');
  assert.equal(peeked.body.DequeueCount, '0');
  assert.equal(peeked.body.ReceiptHandle, undefined);

  const batchPeek = await client.batchPeekMessage('sdk-peek', 4);
  assert.equal(batchPeek.body.length, 1);

  const got = await client.receiveMessage('sdk-peek');
  const changed = await client.changeMessageVisibility('sdk-peek', got.body.ReceiptHandle, 100);
  assert.equal(changed.code, 200);
  assert.notEqual(changed.body.ReceiptHandle, got.body.ReceiptHandle);
  const expected = Number(got.body.NextVisibleTime) - 30000 + 100000;
  assert.ok(Math.abs(Number(changed.body.NextVisibleTime) - expected) < 5000);

  assert.equal(await errorName(client.peekMessage('sdk-peek')), 'MNSMessageNotExistError');
  const deleted = await client.deleteMessage('sdk-peek', changed.body.ReceiptHandle);
  assert.equal(deleted.code, 204);
});

test('an empty queue gives MessageNotExist after a 1 s wait', async () => {
  await client.createQueue('sdk-empty');
  const started = Date.now();
  assert.equal(await errorName(client.receiveMessage('sdk-empty', 1)), 'MNSMessageNotExistError');
  const waited = Date.now() - started;
  assert.ok(waited >= 900 && waited < 3000, `waited ${waited} ms`);
});

test('a body with a raw & (the SDK does not escape it) gives MalformedXML', async () => {
  await client.createQueue('sdk-amp');
  assert.equal(await errorName(client.sendMessage('sdk-amp', { MessageBody: 'fish & chips' })),
    'MNSMalformedXMLError');
});

test('a wrong secret gives SignatureDoesNotMatch', async () => {
  const wrong = makeClient('not-the-secret');
  assert.equal(await errorName(wrong.listQueue()), 'MNSSignatureDoesNotMatchError');
});

test('an injected fault reaches the SDK as its own error type, and the journal shows it', async () => {
  await client.createQueue('sdk-fault');
  const rule = await emulator.control('POST', '/_emulator/faults', {
    operation: 'ReceiveMessage', queue: 'sdk-fault', times: 2, error: 'ServiceUnavailable',
  });
  assert.equal(rule.id > 0, true);
  for (let i = 0; i < 2; i++) {
    assert.equal(await errorName(client.receiveMessage('sdk-fault', 0)), 'MNSServiceUnavailableError');
  }
  assert.equal(await errorName(client.receiveMessage('sdk-fault', 0)), 'MNSMessageNotExistError');

  await emulator.control('POST', '/_emulator/faults', { operation: 'SendMessage', error: 'QpsLimitExceeded' });
  assert.equal(await errorName(client.sendMessage('sdk-fault', { MessageBody: 'm' })), 'MNSQpsLimitExceededError');

  const { rules } = await emulator.control('GET', '/_emulator/faults');
  const fired = rules.find((r) => r.id === rule.id);
  assert.equal(fired.fired, 2);
  assert.equal(fired.hits.length, 2);
  const { requests } = await emulator.control('GET', '/_emulator/requests?queue=sdk-fault&status=503');
  assert.deepEqual(requests.map((r) => r.request_id), fired.hits.map((h) => h.request_id));
  await emulator.control('DELETE', '/_emulator/faults');
});
