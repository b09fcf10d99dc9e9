'use strict';
// The receipt loop as code written for the cloud runs it, with only the
// port added to each endpoint: a child of tls.test.js, started with
// NODE_EXTRA_CA_CERTS (or without it, to see the refusal) and with
// resolve_override.js pointing the cloud's host names at the emulator.
//   node --require ./resolve_override.js tls_client.js PORT [REGION]
// Prints one JSON line: what it received, or the error's code.
const RPCClient = require('@alicloud/pop-core');
const Dysmsapi = require('@alicloud/dysmsapi20170525');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const MNS = require('@alicloud/mns');
const { DEFAULT_ACCOUNT, DEFAULT_KEY } = require('./emulator');

const ALICOM_ACCOUNT = '1943695596114318';
const port = process.argv[2];
const region = process.argv[3] || 'cn-hangzhou';

async function main() {
  const tea = new Dysmsapi.default(new $OpenApiUtil.Config({
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: DEFAULT_KEY.secret,
    endpoint: `dysmsapi.aliyuncs.com:${port}`,  // protocol: https, the default
  }));
  const sent = await tea.sendSms(new Dysmsapi.SendSmsRequest({
    phoneNumbers: '13800000000', signName: '阿里云', templateCode: 'SMS_1',
  }));
  const pop = new RPCClient({
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: DEFAULT_KEY.secret,
    endpoint: `https://dybaseapi.aliyuncs.com:${port}`,
    apiVersion: '2017-05-25',
  });
  const token = (await pop.request('QueryTokenForMnsQueue',
    { MessageType: 'SmsReport' }, { method: 'POST' })).MessageTokenDTO;
  const mns = new MNS(ALICOM_ACCOUNT, {
    endpoint: `https://${ALICOM_ACCOUNT}.mns.${region}.aliyuncs.com:${port}`,
    accessKeyId: token.AccessKeyId,
    accessKeySecret: token.AccessKeySecret,
    securityToken: token.SecurityToken,
  });
  const queue = `Alicom-Queue-${DEFAULT_ACCOUNT}-SmsReport`;
  const receiving = mns.receiveMessage(queue, 10);
  receiving.catch(() => {});  // awaited below; may fail before that
  // The receipt is due 2 s after the send on the emulator's clock.
  await fetch(`https://127.0.0.1:${port}/_emulator/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ advance_seconds: 2 }),
  });
  const got = await receiving;
  await mns.deleteMessage(queue, got.body.ReceiptHandle);
  const receipt = JSON.parse(Buffer.from(got.body.MessageBody, 'base64').toString('utf8'));
  return { biz_id: sent.body.bizId, receipt };
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (err) => console.log(JSON.stringify({ error: err.code || err.name, message: err.message })),
);
