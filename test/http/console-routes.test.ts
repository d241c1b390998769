/**
 * The console over plain HTTP, on both engines: behind the admin token (a signed HttpOnly session cookie), every
 * form post with the session's CSRF token, bad input a 4xx page and never a 5xx, every value escaped by the
 * templates, "resend now" (the console's button and the admin API's due-now) handing a notification to the
 * worker, the journal's server-sent events, the trade search, and the key files offered for download.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeEachEngine } from '../support/engines.js';
import { assertAdminError, newTrade, useHarness } from '../support/harness.js';
import { consoleLogin } from '../support/console-client.js';
import { advanceClock, notificationsOf, refund, runDueJobs } from '../support/refund-calls.js';
import { startNotifyReceiver } from '../support/notify-receiver.js';

/** The error a redirect carries back to the page. */
const errorOf = (location: string | null) => new URL(location ?? '', 'http://console').searchParams.get('error') ?? '';

describeEachEngine('the console', (engine) => {
  const { harness, kit } = useHarness(engine, { clock: 'virtual' });
  const url = (path: string) => `${harness.tuikuan.url}${path}`;

  describe('is behind the admin token', () => {
    it('sends a request without a session to the login page, and SSE without one gets a 401', async () => {
      const page = await fetch(url('/console/jobs?x=1'), { redirect: 'manual' });
      assert.equal(page.status, 303);
      assert.equal(page.headers.get('location'), '/console/login?next=%2Fconsole%2Fjobs%3Fx%3D1');
      const forged = await fetch(url('/console/jobs'), { headers: { cookie: 'tk_console=abc.99999999999999.forged' }, redirect: 'manual' });
      assert.equal(forged.status, 303, 'a cookie it did not sign is no session');
      assert.equal((await fetch(url('/console/notifications/events'))).status, 401);
      const login = await fetch(url('/console/login'));
      assert.equal(login.status, 200);
      assert.match(await login.text(), /name="token"/);
      assert.equal((await fetch(url('/console/assets/console.css'))).status, 200, 'the login page’s stylesheet is open');
    });

    it('refuses a wrong token, and lets the right one in with an HttpOnly, SameSite=Lax cookie for /console only', async () => {
      const wrong = await fetch(url('/console/login'), { method: 'POST', body: new URLSearchParams({ token: 'nope' }), redirect: 'manual' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get('set-cookie'), null);
      assert.match(await wrong.text(), /管理令牌不正确/);
      const right = await fetch(url('/console/login'), {
        method: 'POST',
        body: new URLSearchParams({ token: harness.tuikuan.adminToken, next: '/console/clock' }),
        redirect: 'manual',
      });
      assert.equal(right.status, 303);
      assert.equal(right.headers.get('location'), '/console/clock');
      const cookie = right.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^tk_console=[\w-]+\.\d+\.[\w-]+; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=43200$/);
      assert.doesNotMatch(cookie, /Secure/, 'plain http: no Secure flag, or the browser would drop it');
    });

    it('goes back only into the console after logging in, never to another site', async () => {
      for (const next of ['//evil.example/x', 'https://evil.example/', '/consolex', '/console\\..\\evil', 'javascript:alert(1)']) {
        const response = await fetch(url('/console/login'), {
          method: 'POST',
          body: new URLSearchParams({ token: harness.tuikuan.adminToken, next }),
          redirect: 'manual',
        });
        assert.equal(response.headers.get('location'), '/console/trades', next);
      }
      const lang = await fetch(url('/console/lang/en?back=//evil.example'), { redirect: 'manual' });
      assert.equal(lang.headers.get('location'), '/console/trades');
    });

    it('logs out: the cookie is cleared', async () => {
      const client = await consoleLogin(harness);
      const out = await client.post('/console/logout');
      assert.equal(out.status, 303);
      assert.match(out.headers.get('set-cookie') ?? '', /^tk_console=; .*Max-Age=0$/);
    });

    it('the API keeps its bearer token: the session cookie opens no admin call', async () => {
      const client = await consoleLogin(harness);
      const response = await fetch(`${harness.tuikuan.adminUrl}/jobs`, { headers: { cookie: client.cookie } });
      assert.equal(response.status, 401);
    });
  });

  describe('takes a form post only with the session’s CSRF token', () => {
    it('refuses one without it (403) and does nothing; with it, does the work and redirects', async () => {
      const client = await consoleLogin(harness);
      await harness.adminOk('POST', '/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR' });
      for (const csrf of ['', 'not-the-token']) {
        const refused = await client.post('/console/faults/clear', { _csrf: csrf });
        assert.equal(refused.status, 403, `_csrf=${csrf}`);
      }
      assert.equal((await harness.adminOk('GET', '/faults')).faults.length, 1, 'still armed');
      const done = await client.post('/console/faults/clear');
      assert.equal(done.status, 303);
      assert.equal(done.location, '/console/faults?notice=cleared');
      assert.equal((await harness.adminOk('GET', '/faults')).faults.length, 0);
    });

    it('shows a refusal of the domain on the page it came back to', async () => {
      const client = await consoleLogin(harness);
      const overdraw = await client.post(`/console/merchants/${kit.pid}/balance`, { delta: '-99999999.00' });
      assert.equal(overdraw.status, 303);
      const back = await client.get(overdraw.location ?? '');
      assert.equal(back.status, 200);
      assert.match(back.text, /<div class="alert error" role="alert" id="error">[^<]+<\/div>/);
      const bad = await client.post(`/console/merchants/${kit.pid}/balance`, { delta: 'lots' });
      assert.match(errorOf(bad.location), /^delta: a signed amount/);
    });
  });

  describe('answers bad input with a 4xx page, never a 5xx', () => {
    it('for unknown things, bad filters, repeated or unstorable values, and bodies that are no form', async () => {
      const client = await consoleLogin(harness);
      const cases: Array<[string, number]> = [
        ['/console/trades/NO-SUCH-TRADE', 404],
        ['/console/merchants/2088000000000000', 404],
        ['/console/apps/nope', 404],
        ['/console/batches/abc', 404],
        ['/console/batches/99999999', 404],
        ['/console/nothing-here', 404],
        ['/console/trades?status=PAID', 400],
        ['/console/trades?trade_no=a&trade_no=b', 400],
        ['/console/trades?out_trade_no=%00', 400],
        ['/console/notifications?state=lost', 400],
        ['/console/notifications?kind=email', 400],
        ['/console/platform/files/..%2Fetc%2Fpasswd', 400],
        ['/console/clock?from=1&to=zzz', 200],
        ['/console/assets/nope.js', 404],
      ];
      for (const [path, status] of cases) {
        const page = await client.get(path);
        assert.equal(page.status, status, path);
      }
      const posts: Array<[string, Record<string, string>]> = [
        ['/console/jobs/abc/retry', {}],
        ['/console/jobs/999999/retry', {}],
        ['/console/notifications/nope/resend', {}],
        ['/console/clock/advance', { by: 'week' }],
        ['/console/faults', { method: 'alipay.trade.nothing', sub_code: 'X' }],
        ['/console/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.NOT_ITS_CODE' }],
        ['/console/faults', { method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR', times: '-1' }],
        ['/console/merchants/2088000000000000/balance', { delta: '+1.00' }],
      ];
      for (const [path, fields] of posts) {
        const page = await client.post(path, fields);
        assert.equal(page.status, 303, path);
        assert.match(page.location ?? '', /[?&]error=/, path);
      }
      const json = await fetch(url('/console/faults/clear'), {
        method: 'POST',
        headers: { cookie: client.cookie, 'content-type': 'application/json' },
        body: '{',
      });
      assert.equal(json.status, 403, 'a body that is no form carries no CSRF token');
    });
  });

  describe('escapes every value it shows', () => {
    it('a trade’s subject and a receiver’s answer are text, not markup', async () => {
      const client = await consoleLogin(harness);
      const evil = await startNotifyReceiver(() => '<img src=x onerror=alert(1)>');
      try {
        const trade = await newTrade(harness, kit, { subject: '<script>alert("x")</script>', notify_url: evil.url });
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'ESC-1' });
        await runDueJobs(harness);
        const page = await client.get(`/console/trades/${trade.trade_no}`);
        assert.equal(page.status, 200);
        assert.ok(page.text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
        assert.ok(page.text.includes('&lt;img src=x onerror=alert(1)&gt;'));
        assert.ok(!page.text.includes('<script>alert'));
        assert.ok(!page.text.includes('<img src=x'));
        assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      } finally {
        await evil.close();
      }
    });
  });

  describe('resend now hands a notification to the worker', () => {
    it('a given-up one is made due, delivered by the worker as one more counted attempt; then there is nothing to resend', async () => {
      const receiver = await startNotifyReceiver('fail');
      try {
        const client = await consoleLogin(harness);
        const trade = await newTrade(harness, kit, { notify_url: receiver.url });
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'RESEND-1' });
        await advanceClock(harness, 25 * 3600);
        const [givenUp] = await notificationsOf(harness, trade.trade_no);
        assert.equal(givenUp?.status, 'given_up');
        assert.equal(givenUp?.attempts, 8);
        receiver.setScript('success');

        const resent = await client.post(`/console/notifications/${givenUp?.notify_id}/resend`, { back: `/console/trades/${trade.trade_no}` });
        assert.equal(resent.status, 303);
        assert.equal(resent.location, `/console/trades/${trade.trade_no}?notice=resent`);
        await runDueJobs(harness);
        const [delivered] = await notificationsOf(harness, trade.trade_no);
        assert.equal(delivered?.status, 'delivered');
        assert.equal(delivered?.attempts, 9, 'counted: the worker made it, not a request');
        assert.equal(delivered?.attempt_log.at(-1).manual, false);
        assert.equal(receiver.received.length, 9);
        assert.equal(receiver.received[8]?.fields.notify_id, givenUp?.notify_id);

        assertAdminError(await harness.admin('POST', `/notifications/${givenUp?.notify_id}/due-now`), 409, 'notification_delivered');
        assertAdminError(await harness.admin('POST', '/notifications/0123456789abcdef/due-now'), 404, 'notification_not_found');
        const again = await client.post(`/console/notifications/${givenUp?.notify_id}/resend`);
        assert.match(errorOf(again.location), /^notification \w+ has been delivered/);
      } finally {
        await receiver.close();
      }
    });

    it('POST /admin/v1/notifications/:notify_id/due-now moves one due later to now (202)', async () => {
      const receiver = await startNotifyReceiver({ successOnAttempt: 2 });
      try {
        const trade = await newTrade(harness, kit, { notify_url: receiver.url });
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'DUE-1' });
        await runDueJobs(harness);
        const [pending] = await notificationsOf(harness, trade.trade_no);
        assert.equal(pending?.status, 'pending');
        const response = await harness.admin('POST', `/notifications/${pending?.notify_id}/due-now`);
        assert.equal(response.status, 202);
        assert.equal(response.body.next_attempt_at, (await harness.adminOk('GET', '/clock')).now);
        await runDueJobs(harness);
        const [delivered] = await notificationsOf(harness, trade.trade_no);
        assert.equal(delivered?.status, 'delivered', 'without the clock moving the 4 minutes of the schedule');
        assert.equal(delivered?.attempts, 2);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('the journal’s events', () => {
    it('say when the journal changes, as a server-sent event', async () => {
      const client = await consoleLogin(harness);
      const controller = new AbortController();
      const response = await fetch(url('/console/notifications/events'), { headers: { cookie: client.cookie }, signal: controller.signal });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      const reader = response.body?.getReader();
      assert.ok(reader);
      const receiver = await startNotifyReceiver('success');
      try {
        const trade = await newTrade(harness, kit, { notify_url: receiver.url });
        await refund(kit, { trade_no: trade.trade_no, refund_amount: '1.00', out_request_no: 'SSE-1' });
        let text = '';
        for (const end = Date.now() + 10_000; !text.includes('event: journal'); ) {
          assert.ok(Date.now() < end, `an event within 10 s; got ${JSON.stringify(text)}`);
          const chunk = await reader.read();
          text += new TextDecoder().decode(chunk.value);
        }
        assert.match(text, /event: journal\ndata: \d+\.\d+\n\n/);
      } finally {
        controller.abort();
        await receiver.close();
      }
    });
  });

  describe('finds trades', () => {
    it('by trade_no, out_trade_no, merchant and status of now', async () => {
      const client = await consoleLogin(harness);
      const paid = await newTrade(harness, kit, { out_trade_no: `SEARCH-${engine}-1` });
      await advanceClock(harness, 1);
      const unpaid = await newTrade(harness, kit, { out_trade_no: `SEARCH-${engine}-2`, status: 'WAIT_BUYER_PAY' });
      const rows = async (query: string) => [...(await client.get(`/console/trades?${query}`)).text.matchAll(/class="trade-link">(\d+)</g)].map((m) => m[1]);
      assert.deepEqual(await rows(`trade_no=${paid.trade_no}`), [paid.trade_no]);
      assert.deepEqual(await rows(`out_trade_no=SEARCH-${engine}-2`), [unpaid.trade_no]);
      const mine = await rows(`pid=${kit.pid}`);
      assert.ok(mine.includes(paid.trade_no) && mine.includes(unpaid.trade_no));
      assert.equal(mine[0], unpaid.trade_no, 'newest first');
      const waiting = await rows(`pid=${kit.pid}&status=WAIT_BUYER_PAY`);
      assert.ok(waiting.includes(unpaid.trade_no) && !waiting.includes(paid.trade_no));
      assert.deepEqual(await rows(`pid=${kit.pid}&status=TRADE_FINISHED`), [], 'nothing past its refund window yet');
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { refund_window_days: 0 });
      await advanceClock(harness, 1);
      assert.ok((await rows(`pid=${kit.pid}&status=TRADE_FINISHED`)).includes(paid.trade_no), 'the status of now, not the stored one');
      await harness.adminOk('PATCH', `/merchants/${kit.pid}`, { refund_window_days: 365 });
    });
  });

  describe('offers the key files for download', () => {
    it('the platform key and certificates, and an app’s certificate, as files', async () => {
      const client = await consoleLogin(harness);
      const key = await client.get('/console/platform/files/alipay_public_key.pem');
      assert.equal(key.status, 200);
      assert.equal(key.headers.get('content-disposition'), 'attachment; filename="alipay_public_key.pem"');
      assert.equal(key.text.trim(), harness.tuikuan.platformPublicKey.trim());
      const root = await client.get('/console/platform/files/alipayRootCert.crt');
      assert.match(root.text, /^-----BEGIN CERTIFICATE-----/);
      const app = await harness.adminOk('POST', '/apps', { pid: kit.pid, key_mode: 'cert' });
      const cert = await client.get(`/console/apps/${app.app_id}/files/appCertPublicKey_${app.app_id}.crt`);
      assert.equal(cert.status, 200);
      assert.equal(cert.text.trim(), String(app.app_cert).trim());
      const page = await client.get(`/console/apps/${app.app_id}`);
      assert.ok(page.text.includes(String(app.app_cert_sn)));
    });
  });
});
