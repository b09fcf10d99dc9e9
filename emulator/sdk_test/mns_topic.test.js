'use strict';
// The official Node.js MNS SDK's topic calls (@alicloud/mns 1.2: createTopic,
// getTopicAttributes, setTopicAttributes, listTopic, publishMessage) against
// the built emulator, as the SDK's own test/client.test.js makes them. The
// SDK has no subscribe method yet (its stub is empty), so the queue
// subscription goes through the SDK's own signed put().
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createHash } = require('node:crypto');
const MNS = require('@alicloud/mns');
const { toXMLBuffer } = require('@alicloud/mns/lib/helper');
const { startEmulator, DEFAULT_ACCOUNT, DEFAULT_KEY } = require('./emulator');

let emulator;
let client;

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
  client = new MNS(DEFAULT_ACCOUNT, {
    endpoint: emulator.address,
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: DEFAULT_KEY.secret,
  });
});

after(async () => {
  assert.equal(await emulator.stop(), 0);
});

test('createTopic should ok, and name its location', async () => {
  const created = await client.createTopic('test-topic');
  assert.equal(created.code, 201);
  assert.equal(created.headers.location, `${emulator.address}/topics/test-topic`);
  const again = await client.createTopic('test-topic');
  assert.equal(again.code, 204);
  assert.equal(await errorName(client.createTopic('test-topic', { MaximumMessageSize: 1024 })),
    'MNSTopicAlreadyExistError');
  assert.equal(await errorName(client.createTopic('bad', { MaximumMessageSize: 66560 })),
    'MNSInvalidArgumentError');
});

test('getTopicAttributes and setTopicAttributes should ok', async () => {
  await client.createTopic('attrs-topic');
  const got = await client.getTopicAttributes('attrs-topic');
  assert.equal(got.code, 200);
  assert.equal(got.body.TopicName, 'attrs-topic');
  assert.equal(got.body.MaximumMessageSize, '65536');
  assert.equal(got.body.LoggingEnabled, 'False');
  const set = await client.setTopicAttributes('attrs-topic', { MaximumMessageSize: 2048 });
  assert.equal(set.code, 204);
  assert.equal((await client.getTopicAttributes('attrs-topic')).body.MaximumMessageSize, '2048');
  assert.equal(await errorName(client.getTopicAttributes('no-such-topic')),
    'MNSTopicNotExistError');
});

test('listTopic should ok, with TopicName in each item', async () => {
  await client.createTopic('list-a');
  await client.createTopic('list-b');
  const page = await client.listTopic('', 1, 'list-');
  assert.equal(page.code, 200);
  const items = Array.isArray(page.body) ? page.body : [page.body];
  assert.equal(items.length, 1);
  assert.equal(items[0].TopicName, 'list-a');
  assert.equal(items[0].TopicURL, `${emulator.address}/topics/list-a`);
  const all = await client.listTopic(undefined, 10, 'list-');
  assert.deepEqual(all.body.map((t) => t.TopicName), ['list-a', 'list-b']);
});

test('publishMessage should ok, and fan out to a queue subscription', async () => {
  await client.createTopic('fan-topic');
  await client.createQueue('fan-queue');
  const endpoint = `acs:mns:cn-hangzhou:${DEFAULT_ACCOUNT}:queues/fan-queue`;
  const subscribed = await client.put('/topics/fan-topic/subscriptions/fan-sub', 'Subscription',
    toXMLBuffer('Subscription', { Endpoint: endpoint, NotifyContentFormat: 'SIMPLIFIED' }),
    ['location']);
  assert.equal(subscribed.code, 201);
  const published = await client.publishMessage('fan-topic', {
    MessageBody: 'hello from the Node SDK', MessageTag: 'node',
  });
  assert.equal(published.code, 201);
  assert.match(published.body.MessageId, /^[0-9A-F]{32}$/);
  assert.equal(published.body.MessageBodyMD5,
    createHash('md5').update('hello from the Node SDK').digest('hex').toUpperCase());
  const received = await client.receiveMessage('fan-queue', 5);
  assert.equal(received.body.MessageBody, 'hello from the Node SDK');
  await client.deleteMessage('fan-queue', received.body.ReceiptHandle);
  const log = await emulator.control('GET', '/_emulator/notifications?topic=fan-topic');
  assert.equal(log.notifications.length, 1);
  assert.equal(log.notifications[0].state, 'delivered');
});

test('publishMessage to a missing topic is MNSTopicNotExistError', async () => {
  assert.equal(await errorName(client.publishMessage('gone-topic', { MessageBody: 'x' })),
    'MNSTopicNotExistError');
});
