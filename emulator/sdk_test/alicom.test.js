'use strict';
// The whole Alicom receipt loop with official SDKs from npm, unchanged but
// for their endpoints: @alicloud/pop-core (signature V1) and
// @alicloud/dysmsapi20170525 (V3) call the POP APIs; @alicloud/mns, with the
// temporary credentials QueryTokenForMnsQueue returns, long-polls the
// SmsReport queue, decodes the receipt and deletes it.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const RPCClient = require('@alicloud/pop-core');
const Dysmsapi = require('@alicloud/dysmsapi20170525');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const MNS = require('@alicloud/mns');
const { startEmulator, DEFAULT_ACCOUNT, DEFAULT_KEY } = require('./emulator');

const ALICOM_ACCOUNT = '1943695596114318';
const UID = DEFAULT_ACCOUNT;
const REPORT_QUEUE = `Alicom-Queue-${UID}-SmsReport`;
const UP_QUEUE = `Alicom-Queue-${UID}-SmsUp`;

let emulator;
let pop;
let tea;

// Beijing calendar date as yyyyMMdd, whatever this host's time zone.
function beijingDate(date = new Date()) {
  return new Date(date.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

function mnsWith(token) {
  return new MNS(ALICOM_ACCOUNT, {
    endpoint: emulator.address,
    accessKeyId: token.AccessKeyId,
    accessKeySecret: token.AccessKeySecret,
    securityToken: token.SecurityToken,
  });
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

async function token(messageType = 'SmsReport', method = 'POST') {
  const reply = await pop.request('QueryTokenForMnsQueue', { MessageType: messageType }, { method });
  assert.equal(reply.Code, 'OK');
  return reply.MessageTokenDTO;
}

before(async () => {
  emulator = await startEmulator();
  pop = new RPCClient({
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: DEFAULT_KEY.secret,
    endpoint: emulator.address,
    apiVersion: '2017-05-25',
  });
  tea = new Dysmsapi.default(new $OpenApiUtil.Config({
    accessKeyId: DEFAULT_KEY.id,
    accessKeySecret: DEFAULT_KEY.secret,
    endpoint: emulator.address.replace('http://', ''),
    protocol: 'http',
  }));
});

after(async () => {
  assert.equal(await emulator.stop(), 0);
});

test('QueryTokenForMnsQueue gives Beijing-time strings and a working token (GET and POST)', async () => {
  for (const method of ['GET', 'POST']) {
    const dto = await token('SmsReport', method);
    for (const key of ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'CreateTime', 'ExpireTime']) {
      assert.equal(typeof dto[key], 'string', key);
    }
    assert.match(dto.ExpireTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const asBeijing = (text) => Date.parse(text.replace(' ', 'T') + '+08:00');
    assert.equal(asBeijing(dto.ExpireTime) - asBeijing(dto.CreateTime), 3600 * 1000);
    assert.ok(Math.abs(asBeijing(dto.CreateTime) - Date.now()) < 60 * 1000,
      `CreateTime ${dto.CreateTime} is Beijing time now`);
  }
});

test('SendSms -> SmsReport long-polled with the temporary token -> decoded, checked, deleted -> QuerySendDetails', async () => {
  const sent = await pop.request('SendSms', {
    PhoneNumbers: '13800000000',
    SignName: '阿里云',
    TemplateCode: 'SMS_1',
    TemplateParam: JSON.stringify({ code: '1234' }),
    OutId: 'order-1',
  }, { method: 'POST' });
  assert.equal(sent.Code, 'OK');
  assert.equal(sent.Message, 'OK');
  assert.match(sent.BizId, /^\d{18}\^0$/);

  const mns = mnsWith(await token());
  const receiving = mns.receiveMessage(REPORT_QUEUE, 10);
  // The receipt is due 2 s after the send on the emulator's clock.
  await emulator.control('POST', '/_emulator/clock', { advance_seconds: 2 });
  const got = await receiving;
  const wire = got.body.MessageBody;
  assert.equal(got.body.MessageBodyMD5,
    crypto.createHash('md5').update(wire).digest('hex').toUpperCase());
  const receipt = JSON.parse(Buffer.from(wire, 'base64').toString('utf8'));
  assert.deepEqual(Object.keys(receipt).sort(), ['biz_id', 'err_code', 'err_msg', 'out_id',
    'phone_number', 'report_time', 'send_time', 'sms_size', 'success']);
  assert.equal(receipt.phone_number, '13800000000');
  assert.equal(receipt.success, true);
  assert.equal(receipt.err_code, 'DELIVERED');
  assert.equal(receipt.err_msg, '用户接收成功');
  assert.equal(receipt.sms_size, '1');
  assert.equal(receipt.biz_id, sent.BizId);
  assert.equal(receipt.out_id, 'order-1');
  assert.match(receipt.send_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.match(receipt.report_time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

  const deleted = await mns.deleteMessage(REPORT_QUEUE, got.body.ReceiptHandle);
  assert.equal(deleted.code, 204);

  const details = await pop.request('QuerySendDetails', {
    PhoneNumber: '13800000000', SendDate: beijingDate(), PageSize: 10, CurrentPage: 1, BizId: sent.BizId,
  });
  assert.equal(details.Code, 'OK');
  assert.equal(details.TotalCount, 1);
  const [record] = details.SmsSendDetailDTOs.SmsSendDetailDTO;
  assert.equal(record.SendStatus, 3);
  assert.equal(record.ErrCode, 'DELIVRD');
  assert.equal(record.PhoneNum, '13800000000');
  assert.equal(record.OutId, 'order-1');
  assert.equal(record.Content, '【阿里云】SMS_1 {"code":"1234"}');
});

test('the V3-signed Tea SDK sends and queries', async () => {
  const sent = await tea.sendSms(new Dysmsapi.SendSmsRequest({
    phoneNumbers: '13900000000', signName: '阿里云', templateCode: 'SMS_2',
    templateParam: JSON.stringify({ code: '5678' }),
  }));
  assert.equal(sent.body.code, 'OK');
  assert.match(sent.body.bizId, /^\d{18}\^0$/);
  const details = await tea.querySendDetails(new Dysmsapi.QuerySendDetailsRequest({
    phoneNumber: '13900000000', sendDate: beijingDate(), pageSize: 10, currentPage: 1, bizId: sent.body.bizId,
  }));
  assert.equal(details.body.code, 'OK');
  assert.equal(details.body.smsSendDetailDTOs.smsSendDetailDTO[0].sendStatus, 1);
  const bad = await tea.sendSms(new Dysmsapi.SendSmsRequest({
    phoneNumbers: '123', signName: '阿里云', templateCode: 'SMS_2',
  }));
  assert.equal(bad.body.code, 'isv.MOBILE_NUMBER_ILLEGAL');
});

test('a temporary token opens only its own queue, and expires', async () => {
  // Any Alicom message type has its queue; this one stays empty.
  const voiceQueue = `Alicom-Queue-${UID}-VoiceReport`;
  const mns = mnsWith(await token('VoiceReport'));
  assert.equal((await errorOf(mns.receiveMessage(REPORT_QUEUE))).name, 'MNSAccessDeniedError');
  assert.equal((await errorOf(mns.receiveMessage(voiceQueue))).name, 'MNSMessageNotExistError');

  await emulator.control('POST', '/_emulator/clock', { advance_seconds: 3601 });
  assert.equal((await errorOf(mns.receiveMessage(voiceQueue))).name, 'MNSSecurityTokenExpiredError');
  const fresh = mnsWith(await token('VoiceReport'));
  assert.equal((await errorOf(fresh.receiveMessage(voiceQueue))).name, 'MNSMessageNotExistError');
});

test('an injected reply arrives on SmsUp with the send\'s extend code', async () => {
  await pop.request('SendSms', {
    PhoneNumbers: '13700000000', SignName: '阿里云', TemplateCode: 'SMS_3', SmsUpExtendCode: '42',
  });
  const injected = await emulator.control('POST', '/_emulator/sms/up',
    { phone_number: '13700000000', content: 'TD' });
  assert.equal(injected.queue, UP_QUEUE);
  const got = await mnsWith(await token('SmsUp')).receiveMessage(UP_QUEUE, 1);
  const reply = JSON.parse(Buffer.from(got.body.MessageBody, 'base64').toString('utf8'));
  assert.equal(reply.phone_number, '13700000000');
  assert.equal(reply.content, 'TD');
  assert.equal(reply.sign_name, '阿里云');
  assert.equal(reply.dest_code, '42');
  assert.equal(typeof reply.sequence_id, 'number');
});

test('gateway errors: wrong secret, unknown action', async () => {
  const wrong = new RPCClient({
    accessKeyId: DEFAULT_KEY.id, accessKeySecret: 'wrong', endpoint: emulator.address, apiVersion: '2017-05-25',
  });
  const err = await errorOf(wrong.request('SendSms', { PhoneNumbers: '13800000000', SignName: 'x', TemplateCode: 'y' }));
  assert.equal(err.code, 'SignatureDoesNotMatch');
  assert.match(err.message, /server string to sign is:GET&%2F&AccessKeyId%3D/);
  const unknown = await errorOf(pop.request('NoSuchAction', {}));
  assert.equal(unknown.code, 'InvalidAction.NotFound');

  const wrongTea = new Dysmsapi.default(new $OpenApiUtil.Config({
    accessKeyId: DEFAULT_KEY.id, accessKeySecret: 'wrong',
    endpoint: emulator.address.replace('http://', ''), protocol: 'http',
  }));
  const v3 = await errorOf(wrongTea.sendSms(new Dysmsapi.SendSmsRequest({
    phoneNumbers: '13800000000', signName: 'x', templateCode: 'y',
  })));
  assert.equal(v3.code, 'SignatureDoesNotMatch');
  assert.equal(v3.statusCode, 400);
  assert.match(v3.data.Message, /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
});

test('an injected gateway error reaches pop-core and the Tea SDK as their error types', async () => {
  await emulator.control('POST', '/_emulator/faults', {
    protocol: 'pop', operation: 'SendSms', times: 2, error: 'Throttling.User',
  });
  const throttled = await errorOf(pop.request('SendSms', { PhoneNumbers: '13800000000', SignName: 'x', TemplateCode: 'y' }));
  assert.equal(throttled.code, 'Throttling.User');
  const tea = new Dysmsapi.default(new $OpenApiUtil.Config({
    accessKeyId: DEFAULT_KEY.id, accessKeySecret: DEFAULT_KEY.secret,
    endpoint: emulator.address.replace('http://', ''), protocol: 'http',
  }));
  const v3 = await errorOf(tea.sendSms(new Dysmsapi.SendSmsRequest({
    phoneNumbers: '13800000000', signName: 'x', templateCode: 'y',
  })));
  assert.equal(v3.code, 'Throttling.User');
  assert.equal(v3.statusCode, 400);
  assert.equal(v3.name, 'ThrottlingError');
});
