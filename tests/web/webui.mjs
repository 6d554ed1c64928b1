// Browser scenarios for supervisord's web status page, in headless Chromium
// driven by playwright-core (no browser download: the system's Chromium).
//
//   node webui.mjs '<json>'
//
// json: {scenario, base, chromium, shots, user, password, program,
//        expect_states, stdout_text, stderr_text, rpc_path}
// Prints one line "PASS <scenario>" and exits 0, or prints what was
// expected and what was got and exits 1. Screenshots go to `shots`.
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const cfg = JSON.parse(process.argv[2]);
const WAIT = 20000;

class Failure extends Error {}
function expect(what, got, want) {
  const ok = want instanceof RegExp ? want.test(got) : got === want;
  if (!ok)
    throw new Failure(`${what}: expected ${JSON.stringify(String(want))}, got ${JSON.stringify(got)}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(cfg.shots, `${cfg.scenario}-${name}.png`), fullPage: true });
}

function row(page, name) {
  // attribute selectors need the name as a CSS string
  return page.locator(`tr[data-process="${name.replace(/["\\]/g, '\\$&')}"]`);
}

async function stateOf(page, name) {
  return (await row(page, name).locator('td.status span').innerText()).trim();
}

async function waitState(page, name, want) {
  const deadline = Date.now() + WAIT;
  let got;
  while (Date.now() < deadline) {
    got = await stateOf(page, name).catch(() => '(no row)');
    if (got === want)
      return;
    await page.waitForTimeout(100);
  }
  expect(`state of ${name}`, got, want);
}

async function message(page) {
  return (await page.locator('#statusmessage').innerText()).trim();
}

// Click an action button of a program's row and wait for the page the
// redirect leads to.
async function act(page, name, label) {
  await Promise.all([
    page.waitForURL(/index\.html\?message=/, { timeout: WAIT }),
    row(page, name).getByRole('button', { name: label, exact: true }).click(),
  ]);
}

async function rpc(page, method, param) {
  const body = `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>` +
    `<param><value><string>${param}</string></value></param></params></methodCall>`;
  const r = await page.request.post(cfg.base + '/RPC2', { data: body, headers: { 'Content-Type': 'text/xml' } });
  expect(`HTTP status of ${method}`, r.status(), 200);
  const text = await r.text();
  if (text.includes('<fault>'))
    throw new Failure(`${method}(${param}) failed: ${text}`);
}

const scenarios = {
  // the table lists every configured program with its state
  async table(page) {
    await page.goto(cfg.base + '/');
    expect('title', await page.title(), 'Supervisor Status');
    const heads = await page.locator('#proctable thead th').allInnerTexts();
    expect('columns', heads.map((h) => h.trim()).join('|'), 'State|Description|Name|Action');
    for (const [name, state] of Object.entries(cfg.expect_states))
      await waitState(page, name, state);
    const names = await page.locator('#proctable td.name').allInnerTexts();
    expect('programs listed', names.map((n) => n.trim()).sort().join('|'),
      Object.keys(cfg.expect_states).sort().join('|'));
    const cls = await row(page, cfg.program).locator('td.status span').getAttribute('class');
    expect('class of a running state', cls, /\bstatusrunning\b/);
    await shot(page, 'status');
  },

  // stop, then start, a program through its buttons
  async stopstart(page) {
    const p = cfg.program;
    await page.goto(cfg.base + '/');
    await waitState(page, p, 'running');
    await act(page, p, 'Stop');
    expect('message after Stop', await message(page), `Process ${p} stopped`);
    await waitState(page, p, 'stopped');
    await shot(page, 'stopped');
    await act(page, p, 'Start');
    expect('message after Start', await message(page), `Process ${p} started`);
    await waitState(page, p, 'running');
    await shot(page, 'started');
  },

  // the tail page of a program shows its output, stdout then stderr
  async tail(page) {
    const p = cfg.program;
    await page.goto(cfg.base + '/');
    await Promise.all([
      page.waitForURL(/tail\.html\?processname=/, { timeout: WAIT }),
      row(page, p).locator('td.name a').click(),
    ]);
    expect('tail page title', await page.title(), `Supervisor tail of process ${p}`);
    expect('stdout shown', await page.locator('pre#tail').innerText(), new RegExp(escapeRe(cfg.stdout_text)));
    await shot(page, 'stdout');
    await Promise.all([
      page.waitForURL(/channel=stderr/, { timeout: WAIT }),
      page.getByRole('link', { name: 'Stderr', exact: true }).click(),
    ]);
    expect('stderr shown', await page.locator('pre#tail').innerText(), new RegExp(escapeRe(cfg.stderr_text)));
    await shot(page, 'stderr');
  },

  // a change made elsewhere (XML-RPC) shows up without a page load
  async autorefresh(page) {
    const p = cfg.program;
    await page.goto(cfg.base + '/');
    await waitState(page, p, 'running');
    await page.evaluate(() => { window.__noReload = 'still here'; });
    await rpc(page, 'supervisor.stopProcess', p);
    await waitState(page, p, 'stopped');
    expect('page not reloaded', await page.evaluate(() => window.__noReload), 'still here');
    await shot(page, 'refreshed');
  },

  // without JavaScript the forms still work (full page loads)
  async nojs(page) {
    const p = cfg.program;
    await page.goto(cfg.base + '/');
    await waitState(page, p, 'running');
    await act(page, p, 'Restart');
    expect('message after Restart', await message(page), `Process ${p} restarted`);
    await waitState(page, p, 'running');
    await shot(page, 'restarted');
  },

  // a page of another origin posts the stop form: no token, then a wrong one
  async forged(page) {
    const p = cfg.program;
    const evil = http.createServer((req, res) => {
      const token = new URL(req.url, 'http://x').searchParams.get('token');
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!DOCTYPE html><title>evil</title>
<form method="post" action="${cfg.base}/index.html">
<input type="hidden" name="action" value="stop">
<input type="hidden" name="processname" value="${p.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}">
${token === null ? '' : `<input type="hidden" name="csrf" value="${token}">`}
<button id="go">win a prize</button></form>`);
    });
    await new Promise((ok) => evil.listen(0, '127.0.0.1', ok));
    const evilBase = `http://127.0.0.1:${evil.address().port}`;
    try {
      for (const q of ['', '?token=0000', '?token=' + '0'.repeat(64)]) {
        await page.goto(evilBase + '/' + q);
        const [resp] = await Promise.all([
          page.waitForResponse((r) => r.url().startsWith(cfg.base), { timeout: WAIT }),
          page.click('#go'),
        ]);
        expect(`status of the forged POST (${q || 'no token'})`, resp.status(), 403);
        await page.waitForLoadState();
        if (!q)
          await shot(page, 'refused');
      }
    } finally {
      evil.close();
    }
    await page.goto(cfg.base + '/');
    expect(`state of ${p} after forged posts`, await stateOf(page, p), 'running');
  },
};

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let code = 0;
try {
  const context = await browser.newContext({
    javaScriptEnabled: cfg.scenario !== 'nojs',
    viewport: { width: 1100, height: 640 },
    httpCredentials: cfg.user ? { username: cfg.user, password: cfg.password, origin: cfg.base } : undefined,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error')
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await scenarios[cfg.scenario](page);
  // our own pages must not trip their CSP or throw
  const ours = problems.filter((t) => !/403|Forbidden/.test(t));
  if (ours.length)
    throw new Failure('browser console errors: ' + ours.join(' | '));
  console.log(`PASS ${cfg.scenario}`);
} catch (e) {
  console.log(`FAIL ${cfg.scenario}: ${e instanceof Failure ? e.message : e.stack}`);
  code = 1;
} finally {
  await browser.close();
}
process.exit(code);
