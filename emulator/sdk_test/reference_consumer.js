'use strict';
// A receipt consumer written with the official Node.js SDKs the way their
// documentation shows: @alicloud/pop-core asks Dybaseapi for a temporary
// token, @alicloud/mns long-polls the Alicom queue with it, decodes each
// base64 JSON body and deletes what it handled. It compensates too: the
// sends listed in ALICOM_SENDS_FILE that get no receipt within 60 s are
// looked up with Dysmsapi QuerySendDetails, on the clock at ALICOM_CLOCK_URL
// when given. It reads the environment alicom-certify gives (README
// "Certifying a consumer").
//
//   node reference_consumer.js [DEFECT]
//
// With a DEFECT it breaks one rule on purpose, so that alicom-certify's
// tests show each check failing where it should:
//   never-refresh       fetches one token and keeps it past its expiry
//   short-poll          receives without waitseconds, ten times a second
//   never-delete        handles receipts but never deletes them
//   exit-on-error       exits on the first error
//   no-backoff          retries errors at once
//   crash-on-malformed  crashes on a body that is not base64 JSON
//   never-compensate    never looks up a send whose receipt is overdue
const fs = require('fs');
const RPCClient = require('@alicloud/pop-core');
const MNS = require('@alicloud/mns');

const DEFECTS = ['never-refresh', 'short-poll', 'never-delete', 'exit-on-error',
  'no-backoff', 'crash-on-malformed', 'never-compensate'];
const defect = process.argv[2] ?? 'none';
if (defect !== 'none' && !DEFECTS.includes(defect)) {
  console.error(`unknown defect ${defect}; the defects are: ${DEFECTS.join(', ')}`);
  process.exit(2);
}

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
};
const popEndpoint = env('ALICOM_POP_ENDPOINT');
const mnsEndpoint = env('ALICOM_MNS_ENDPOINT');
const accessKeyId = env('ALICOM_ACCESS_KEY_ID');
const accessKeySecret = env('ALICOM_ACCESS_KEY_SECRET');
const queue = env('ALICOM_QUEUE');
const messageType = process.env.ALICOM_MESSAGE_TYPE || 'SmsReport';
// The Alicom queues live in Alibaba Cloud's own MNS account.
const ALICOM_ACCOUNT = '1943695596114318';

const pop = new RPCClient({
  accessKeyId, accessKeySecret, endpoint: popEndpoint, apiVersion: '2017-05-25',
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
  process.exit(0);
});

// ExpireTime is Beijing wall-clock time, "yyyy-MM-dd HH:mm:ss".
const beijing = (text) => Date.parse(`${text.replace(' ', 'T')}+08:00`);

// --- compensation: sends whose receipt is overdue, looked up.
const RECEIPT_DEADLINE_MS = 60 * 1000;
const sendsFile = process.env.ALICOM_SENDS_FILE;
const clockUrl = process.env.ALICOM_CLOCK_URL;
const sms = new RPCClient({
  accessKeyId, accessKeySecret, endpoint: popEndpoint, apiVersion: '2017-05-25',
});
const pending = new Map(); // biz_id -> {phone, sentAt}
const reported = new Set(); // biz_ids whose receipt came
let sendsRead = 0; // bytes of whole lines read

// The emulator's clock when the test moves it, else this process's.
async function now() {
  if (!clockUrl) return Date.now();
  const reply = await fetch(clockUrl);
  return (await reply.json()).now_ms;
}

// Beijing calendar date, yyyyMMdd, as QuerySendDetails' SendDate wants it.
const sendDate = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString()
  .slice(0, 10).replaceAll('-', '');

function readNewSends() {
  let text;
  try {
    text = fs.readFileSync(sendsFile).subarray(sendsRead).toString('utf8');
  } catch {
    return;
  }
  const whole = text.lastIndexOf('\n') + 1;
  sendsRead += Buffer.byteLength(text.slice(0, whole));
  for (const line of text.slice(0, whole).split('\n')) {
    if (!line.trim()) continue;
    try {
      const send = JSON.parse(line);
      if (!reported.has(send.biz_id)) {
        pending.set(send.biz_id, { phone: send.phone_number, sentAt: Date.parse(send.sent_at) });
      }
    } catch (err) {
      console.error(`skipped a line of ${sendsFile}: ${err.message}`);
    }
  }
}

async function compensate() {
  while (!stopping) {
    try {
      readNewSends();
      const t = await now();
      for (const [bizId, send] of pending) {
        if (t - send.sentAt < RECEIPT_DEADLINE_MS) continue;
        const reply = await sms.request('QuerySendDetails', {
          PhoneNumber: send.phone, SendDate: sendDate(send.sentAt), BizId: bizId,
          PageSize: 10, CurrentPage: 1,
        }, { method: 'POST' });
        const detail = reply.SmsSendDetailDTOs.SmsSendDetailDTO[0];
        if (detail && detail.SendStatus !== 1) {
          pending.delete(bizId);
          console.log(JSON.stringify({ type: 'SendDetail', biz_id: bizId, ...detail }));
        } else {
          send.sentAt = t; // still waiting: ask again after another deadline
        }
      }
    } catch (err) {
      console.error(`compensation: ${err.name}: ${err.message}`);
    }
    await sleep(1000);
  }
}

let token = null;
let mns = null;
async function client() {
  const refreshAt = token ? beijing(token.ExpireTime) - 2 * 60 * 1000 : 0;
  if (!token || (defect !== 'never-refresh' && Date.now() >= refreshAt)) {
    const reply = await pop.request('QueryTokenForMnsQueue',
      { MessageType: messageType, QueueName: queue }, { method: 'POST' });
    token = reply.MessageTokenDTO;
    mns = new MNS(ALICOM_ACCOUNT, {
      endpoint: mnsEndpoint,
      accessKeyId: token.AccessKeyId,
      accessKeySecret: token.AccessKeySecret,
      securityToken: token.SecurityToken,
    });
  }
  return mns;
}

async function main() {
  let backoff = 0;
  while (!stopping) {
    try {
      const queueClient = await client();
      let messages;
      try {
        const reply = await queueClient.batchReceiveMessage(queue, 16,
          defect === 'short-poll' ? 0 : 5);
        messages = Array.isArray(reply.body) ? reply.body : [reply.body];
      } catch (err) {
        if (err.name === 'MNSMessageNotExistError') {
          if (defect === 'short-poll') await sleep(100);
          continue;
        }
        throw err;
      }
      const handled = [];
      for (const message of messages) {
        let receipt;
        try {
          receipt = JSON.parse(Buffer.from(message.MessageBody, 'base64').toString('utf8'));
        } catch (err) {
          if (defect === 'crash-on-malformed') throw new Error(`malformed body: ${err.message}`);
          // Left alone: it comes back after its visibility timeout, and a
          // person can look at it.
          console.error(`not a receipt, message ${message.MessageId}: ${err.message}`);
          continue;
        }
        console.log(JSON.stringify(receipt));
        if (receipt.biz_id) {
          reported.add(receipt.biz_id);
          pending.delete(receipt.biz_id);
        }
        handled.push(message.ReceiptHandle);
      }
      if (defect !== 'never-delete' && handled.length > 0) {
        try {
          await queueClient.batchDeleteMessage(queue, handled);
        } catch (err) {
          // A stale handle (a redelivered duplicate) fails its delete; the
          // copy that is still ours comes again and is deleted then.
          if (defect === 'exit-on-error') throw err;
          console.error(`delete: ${err.name}`);
        }
      }
      backoff = 0;
    } catch (err) {
      if (defect === 'exit-on-error') {
        console.error(`error: ${err.name}`);
        process.exit(1);
      }
      if (defect === 'crash-on-malformed' && /^malformed/.test(err.message)) throw err;
      console.error(`retrying after ${err.name}: ${err.message}`);
      if (defect !== 'no-backoff') {
        backoff = Math.min(Math.max(backoff * 2, 250), 5000);
        await sleep(backoff);
      }
    }
  }
}

if (sendsFile && defect !== 'never-compensate') compensate();
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
