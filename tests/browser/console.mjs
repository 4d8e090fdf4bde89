// The console in a real browser (Debian's chromium driven by playwright-core): a cadre founds a
// cycle, registers two phones and a council member, enters a paper proposal, reviews every
// proposal and opens the vote; the phones (devices on the generated Python binding, as an app
// uses the core: tests/browser/phone.py) vote and sync; the cadre
// seals; the council member, on their own device's console, resolves with a deviation and a
// reason; the public board shows the same tally as `linli verify`. Screenshots go to
// target/screenshots/. Run by .ci/run: node tests/browser/console.mjs
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const root = resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(join(root, '.ci-tools', 'package.json'));
const { chromium } = require('playwright-core');
const jsQR = require('jsqr');
const { PNG } = require('pngjs');
const linliBin = process.env.LINLI_BIN || join(root, 'target', 'debug', 'linli');
const dir = mkdtempSync(join(tmpdir(), 'linli-console-'));
const shots = join(root, 'target', 'screenshots');
mkdirSync(shots, { recursive: true });
const db = (name) => join(dir, `${name}.db`);
const linli = (...args) => execFileSync(linliBin, ['--lang', 'en', ...args], { encoding: 'utf8' }).trim();
const python = process.env.PYTHON || join(root, '.venv', 'bin', 'python');
const phone = (name, ...args) =>
  execFileSync(python, [join(root, 'tests', 'browser', 'phone.py'), db(name), ...args], { encoding: 'utf8' }).trim();
const phones = ['phone1', 'phone2'];
/** Syncs a device with the tablet: phones through the binding, the others with `linli sync`. */
const sync = (name, addr) => (phones.includes(name) ? phone(name, 'sync', addr) : linli('--db', db(name), 'sync', addr));

/** Starts `linli console` on a database; resolves with its login URL and sync address. */
function console_(name) {
  return new Promise((ok, fail) => {
    const p = spawn(linliBin, ['--db', db(name), 'console', '--listen', '127.0.0.1:0', '--sync-listen', '127.0.0.1:0']);
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      const login = out.match(/console: (\S+)/);
      const sync = out.match(/sync: (\S+)/);
      if (login && sync) ok({ proc: p, login: login[1], base: new URL(login[1]).origin, sync: sync[1] });
    });
    p.on('exit', (code) => fail(new Error(`console exited ${code}: ${out}`)));
  });
}

const keys = {};
for (const d of ['tablet', 'council', 'builder']) keys[d] = linli('--db', db(d), 'init');
for (const p of phones) keys[p] = phone(p, 'init');
const tablet = await console_('tablet');
// A fresh profile each run (Playwright takes the user data dir as its own argument).
const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'linli-chromium-')), {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1100, height: 900 },
});
const failures = [];
try {
  const page = await browser.newPage();
  const flash = async () => (await page.locator('#flash').count()) ? page.locator('#flash').innerText() : '';
  const submit = async (form) => {
    await Promise.all([page.waitForLoadState('load'), page.locator(form).locator('button').click()]);
  };
  await page.goto(tablet.login);

  // Found the cycle.
  await page.fill('#found input[name=community]', '玉林社区');
  await page.fill('#found input[name=title]', '2026 微更新');
  await page.fill('#found input[name=founder]', '李书记');
  await page.fill('#found input[name=min_ratings]', '1');
  await submit('#found');
  assert.match(await flash(), /周期已发起/);
  const invite = (await page.locator('#invite').innerText()).trim();
  assert.match(invite, /^linli:1:/);
  await page.screenshot({ path: join(shots, 'cadre-desk.png'), fullPage: true });

  // Register two phones and a council member from the keys their devices show.
  for (const [who, name, roles] of [['phone1', '王阿姨', ['resident']], ['phone2', '赵大爷', ['resident', 'table_leader', 'recorder']], ['council', '张委员', ['council']], ['builder', '刘师傅', ['contractor']]]) {
    if (phones.includes(who)) phone(who, 'join', invite);
    else linli('--db', db(who), 'join', invite);
    await page.fill('#register input[name=name]', name);
    await page.fill('#register input[name=key]', keys[who]);
    await page.selectOption('#register select[name=role]', roles);
    await submit('#register');
    assert.match(await flash(), /已登记/, `${who}: ${await flash()}`);
  }
  // A phone with no network at all: the desk shows what it lacks as QR codes; the phone's
  // camera (here: a screenshot of each code, read by jsQR, an independent decoder) takes them,
  // and the phone holds the cycle without ever syncing.
  keys.phone3 = phone('phone3', 'init');
  phone('phone3', 'join', invite);
  await page.fill('#register input[name=name]', '周阿姨');
  await page.fill('#register input[name=key]', keys.phone3);
  await page.selectOption('#register select[name=role]', ['resident']);
  await submit('#register');
  assert.match(await flash(), /已登记/, await flash());
  await page.fill('#offline input[name=offline]', 'not a key');
  await page.click('#offline button');
  await page.waitForLoadState('load');
  assert.match(await page.locator('#offline-note').innerText(), /不是设备密钥/);
  await page.fill('#offline input[name=offline]', keys.phone3);
  await page.click('#offline button');
  await page.waitForLoadState('load');
  const codes = page.locator('#offline-section figure.qr');
  const count = await codes.count();
  assert.ok(count >= 2, `${count} codes`);
  await page.locator('#offline-section').screenshot({ path: join(shots, 'offline-codes.png') });
  const texts = [];
  // jsQR misses an occasional version-15 code at the size the page draws it (a module is then
  // about 3 screen pixels), as a phone's camera would until it comes closer: such a code is
  // read again drawn alone, 600 pixels wide. Every code must be read at one of the two sizes.
  const readCode = async (svg) => {
    const png = PNG.sync.read(await svg.screenshot());
    return jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  };
  const closeUp = await browser.newPage();
  let closer = 0;
  for (let i = count - 1; i >= 0; i--) {
    const svg = codes.nth(i).locator('svg');
    let read = await readCode(svg);
    if (!read) {
      closer += 1;
      const markup = await svg.evaluate((el) => el.outerHTML);
      await closeUp.setContent(`<body style="margin:20px;background:#fff">${markup}</body>`);
      const big = closeUp.locator('svg');
      await big.evaluate((el) => {
        el.style.width = '600px';
        el.style.height = '600px';
      });
      read = await readCode(big);
      if (!read) writeFileSync(join(shots, `unread-${i + 1}.png`), await big.screenshot());
    }
    assert.ok(read, `code ${i + 1} of ${count} was not read, even drawn 600 pixels wide`);
    texts.push(read.data);
  }
  await closeUp.close();
  assert.ok(closer <= count / 4, `${closer} of ${count} codes needed a closer look`);
  const [fresh, members] = phone('phone3', 'scan', ...texts).split(' ').map(Number);
  assert.ok(fresh >= 6 && members >= 6, `phone3 took ${fresh} records, knows ${members} members`);

  // A resident with no phone: her sheets are entered at the desk.
  await page.fill('#register input[name=name]', '孙奶奶');
  await page.check('#register input[name=paper]');
  await page.selectOption('#register select[name=age_band]', '75+');
  await submit('#register');
  assert.match(await flash(), /已登记/, await flash());

  // Proposals: one from a phone, one on paper.
  await page.click('#phase-next');
  await page.waitForLoadState('load');
  for (const p of ['phone1', 'phone2', 'council']) sync(p, tablet.sync);
  phone('phone1', 'propose', '楼道加装扶手', '老人上下楼不便', '3栋', '6000000');
  sync('phone1', tablet.sync);
  await page.fill('#paper input[name=on_behalf_of]', '李大爷');
  await page.fill('#paper input[name=title]', '小区路灯');
  await page.fill('#paper input[name=location]', '北门');
  await page.fill('#paper input[name=budget]', '80000');
  await page.fill('#paper textarea[name=description]', '北门夜里太黑');
  await submit('#paper');
  assert.match(await flash(), /纸质提案已录入/);

  // Deliberation: a roundtable is recorded; the page says what blocks the vote until every
  // proposal has a review.
  await page.click('#phase-next');
  await page.waitForLoadState('load');
  await page.fill('#roundtable input[name=topic]', '适老化改造');
  await page.selectOption('#roundtable select[name=leader]', { label: '赵大爷' });
  await page.selectOption('#roundtable select[name=recorder]', { label: '赵大爷' });
  await page.selectOption('#roundtable select[name=participant]', { index: 0 });
  await page.selectOption('#roundtable select[name=discussed]', { index: 0 });
  await page.fill('#roundtable textarea[name=notes]', '大家同意优先做扶手和路灯');
  const discussed = await page.locator('#roundtable select[name=discussed] option').first().getAttribute('value');
  await page.fill('#roundtable textarea[name=recommendations]', `${discussed}=适老化优先`);
  await submit('#roundtable');
  assert.match(await flash(), /圆桌议事已记录/, await flash());
  assert.match(await page.locator('#blocker').innerText(), /审核|review/);
  // The shortlisting queue shows the table's recommendation beside the proposal.
  assert.match(await page.locator('#queue .recommended').first().innerText(), /圆桌「适老化改造」推荐：适老化优先/);
  const rows = page.locator('#queue tr[data-title]');
  const n = await rows.count();
  assert.equal(n, 2);
  for (let i = 0; i < n; i++) {
    const form = page.locator('#queue tr[data-title]').nth(i).locator('form.review');
    await form.locator('input[name=reason]').fill('可行，列入投票');
    await Promise.all([page.waitForLoadState('load'), form.locator('button').click()]);
    assert.match(await flash(), /审核已记录/);
  }
  assert.equal(await page.locator('#blocker').count(), 0);
  await page.click('#phase-next');
  await page.waitForLoadState('load');
  assert.match(await page.locator('#phase').innerText(), /投票/);

  // The phones vote and sync; the cadre seals.
  for (const p of phones) sync(p, tablet.sync);
  phone('phone1', 'vote', '楼道加装扶手', '小区路灯');
  phone('phone2', 'vote', '小区路灯');
  for (const p of phones) sync(p, tablet.sync);

  // The paper desk, keyboard only: member, sheet number, the numbers marked, Return.
  await page.goto(`${tablet.base}/paper`);
  const enterSheet = async (member, sheet, choices) => {
    await page.locator('#paper-ballot input[name=member]').focus();
    await page.keyboard.type(member);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(sheet);
    await page.keyboard.press('Tab');
    await page.keyboard.type(choices);
    // Return submits; wait for the next document (the page before it carries a marker).
    await page.evaluate(() => { window.beforeEnter = true; });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !window.beforeEnter);
    await page.waitForLoadState('load');
  };
  await enterSheet('孙奶奶', 'A-0001', '1');
  assert.match(await flash(), /纸质选票已录入/, await flash());
  assert.equal(await page.locator('#counted-paper').innerText(), '1');
  assert.equal(await page.locator('#counted-phone').innerText(), '2');
  assert.equal(await page.inputValue('#paper-ballot input[name=sheet]'), 'A-0002', 'the next sheet');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'member', 'the cursor is back on the member');
  // Her second sheet is refused with the rule's reason, and nothing changes.
  await enterSheet('孙奶奶', 'A-0002', '2');
  assert.match(await flash(), /纸质选票计入/, await flash());
  assert.equal(await page.locator('#counted-paper').innerText(), '1');
  await page.screenshot({ path: join(shots, 'paper-desk.png'), fullPage: true });
  await page.goto(`${tablet.base}/cadre`);
  await page.click('#seal-vote');
  await page.waitForLoadState('load');
  assert.match(await flash(), /已封票/);
  await page.click('#phase-next');
  await page.waitForLoadState('load');

  // The council's meeting, open to residents at home: the hall screen follows it live.
  await page.goto(`${tablet.base}/meeting`);
  await page.fill('#open-meeting input[name=title]', '2026 年居民议事会');
  await submit('#open-meeting');
  assert.match(await flash(), /会议已开始/, await flash());
  await Promise.all([page.waitForLoadState('load'), page.locator('#agenda form button').first().click()]);
  assert.match(await flash(), /已转到下一议程/, await flash());
  const hall = await browser.newPage();
  await hall.setViewportSize({ width: 1280, height: 720 });
  await hall.goto(`${tablet.base}/hall`);
  assert.match(await hall.locator('#tally').innerText(), /封存计票/);
  await hall.evaluate(() => { window.notReloaded = true; });
  sync('phone1', tablet.sync);
  const meetingId = phone('phone1', 'meeting');
  phone('phone1', 'comment', meetingId, '希望扶手先装在 3 栋');
  sync('phone1', tablet.sync);
  const synced = Date.now();
  await hall.locator('#comments li', { hasText: '希望扶手先装在 3 栋' }).waitFor({ timeout: 2000 });
  const lag = Date.now() - synced;
  assert.ok(lag <= 2000, `the comment reached the screen in ${lag} ms`);
  console.log(`hall screen: the phone's comment appeared ${lag} ms after its sync returned`);
  assert.equal(await hall.evaluate(() => window.notReloaded), true, 'no reload');
  // A comment typed at the desk in the hall shows beside it, marked as from the hall.
  await page.fill('#hall-comment input[name=name]', '李大爷');
  await page.fill('#hall-comment textarea[name=text]', '路灯也很急');
  await submit('#hall-comment');
  await hall.locator('#comments li', { hasText: '路灯也很急' }).waitFor({ timeout: 2000 });
  assert.match(await hall.locator('#comments li', { hasText: '路灯也很急' }).innerText(), /会场/);
  assert.match(await hall.locator('#comments li', { hasText: '希望扶手先装在 3 栋' }).innerText(), /线上/);
  await hall.screenshot({ path: join(shots, 'hall.png') });
  // The cadre hides the phone's comment: its text leaves the screen, its reason stays.
  const row = page.locator('#meeting-comments tr', { hasText: '希望扶手先装在 3 栋' });
  await row.locator('input[name=reason]').fill('与议题无关');
  await Promise.all([page.waitForLoadState('load'), row.locator('button').click()]);
  assert.match(await flash(), /评论已隐藏/, await flash());
  await hall.locator('#comments li', { hasText: '与议题无关' }).waitFor({ timeout: 2000 });
  assert.equal(await hall.locator('#comments li', { hasText: '希望扶手先装在 3 栋' }).count(), 0);
  assert.match(await page.locator('#meeting-comments').innerText(), /已隐藏：与议题无关/);
  assert.equal(await hall.evaluate(() => window.notReloaded), true, 'no reload');
  await hall.screenshot({ path: join(shots, 'hall-hidden.png') });
  // A comment handed in on paper, typed at the desk: listed as from paper.
  await page.selectOption('#paper-comment select[name=on]', { label: '小区路灯' });
  await page.fill('#paper-comment input[name=name]', '张大妈');
  await page.fill('#paper-comment textarea[name=text]', '灯要亮一点');
  await submit('#paper-comment');
  assert.match(await flash(), /评论已发布/, await flash());
  assert.match(await page.locator('#recent-comments tr', { hasText: '灯要亮一点' }).innerText(), /张大妈[\s\S]*纸质/);
  await page.screenshot({ path: join(shots, 'meeting-desk.png'), fullPage: true });
  await hall.close();

  // The council member resolves on their own device's console, with a deviation and a reason.
  linli('--db', db('council'), 'sync', tablet.sync);
  const council = await console_('council');
  try {
    const cp = await browser.newPage();
    await cp.goto(council.login);
    await cp.goto(`${council.base}/council`);
    const lamp = cp.locator('#draft tr[data-title="小区路灯"]');
    await lamp.locator('input[name^="amount:"]').fill('70000');
    // Without a reason the rule refuses, and says so beside the form.
    await Promise.all([cp.waitForLoadState('load'), cp.click('#pass-resolution')]);
    assert.match(await cp.locator('#flash').innerText(), /理由|reason/);
    await cp.locator('#draft tr[data-title="小区路灯"] input[name^="amount:"]').fill('70000');
    await cp.locator('#draft tr[data-title="小区路灯"] input[name^="reason:"]').fill('改用节能灯具，报价更低');
    await Promise.all([cp.waitForLoadState('load'), cp.click('#pass-resolution')]);
    assert.match(await cp.locator('#flash').innerText(), /决议已通过/);
    await cp.screenshot({ path: join(shots, 'council.png'), fullPage: true });
  } finally {
    council.proc.kill();
  }
  linli('--db', db('council'), 'sync', tablet.sync);

  // The public board, as the LAN sees it, shows the tally `linli verify` computes.
  const board = await browser.newPage();
  await board.goto(`${tablet.base}/board`);
  sync('phone2', tablet.sync);
  const verify = JSON.parse(execFileSync(linliBin, ['--db', db('phone2'), 'verify', '--json'], { encoding: 'utf8' }));
  for (const line of verify.report.result) {
    const votes = await board.locator(`#tally tr[data-proposal="${line.proposal}"] td.votes`).innerText();
    assert.equal(Number(votes), line.score, line.title);
  }
  assert.match(await board.locator('#resolution').innerText(), /改用节能灯具，报价更低/);
  // The meeting's comments stay attached to the resolution, the hidden one as hidden.
  assert.match(await board.locator('#resolution-comments').innerText(), /路灯也很急/);
  assert.match(await board.locator('#resolution-comments').innerText(), /与议题无关/);
  assert.equal(await board.locator('#sealed-paper').innerText(), '1');
  assert.equal(await board.locator('#proposals tr', { hasText: '小区路灯' }).locator('td.comments').innerText(), '1');
  assert.equal(await board.locator('#funnel tr[data-step=voted] td.paper').innerText(), '1');
  assert.match(await board.locator('#funnel tr[data-step=voted] .bands').innerText(), /75\+: 1/);
  assert.ok(await board.locator('.qr svg').count() >= 1, 'the seal QR code');
  await board.screenshot({ path: join(shots, 'board.png'), fullPage: true });
  await board.emulateMedia({ media: 'print' });
  await board.screenshot({ path: join(shots, 'board-print.png'), fullPage: true });
  await board.pdf({ path: join(shots, 'board.pdf'), format: 'A4' }).catch(() => {});

  // The works: a tender from the desk, a sealed bid from the builder's device, closing and
  // award, the payment plan, and the gated final payment with its arithmetic shown.
  const desk = await page.goto(`${tablet.base}/cadre`);
  assert.equal(desk.status(), 200, await desk.text());
  await page.click('#phase-next');
  await page.waitForLoadState('load');
  const work = page.locator('#works .work[data-title="楼道加装扶手"]');
  await work.locator('input[name=deadline]').fill('3s');
  await work.locator('input[name=requirements]').fill('不锈钢扶手');
  await Promise.all([page.waitForLoadState('load'), work.locator('form.tender button').click()]);
  assert.match(await flash(), /已公开招标/, await flash());
  linli('--db', db('builder'), 'sync', tablet.sync);
  const tenderId = JSON.parse(execFileSync(linliBin, ['--db', db('builder'), 'timeline', '楼道加装扶手', '--json'], { encoding: 'utf8' }))
    .find((e) => e.kind === 'tender').record;
  linli('--db', db('builder'), 'bid', tenderId, '--amount', '55000', '--plan', '两周完成', '--days', '14');
  linli('--db', db('builder'), 'sync', tablet.sync);
  await new Promise((r) => setTimeout(r, 3500));
  await page.goto(`${tablet.base}/cadre`);
  await Promise.all([page.waitForLoadState('load'), page.locator('#works .work[data-title="楼道加装扶手"] .close-bids').click()]);
  assert.match(await flash(), /已截标/, await flash());
  linli('--db', db('builder'), 'sync', tablet.sync);
  linli('--db', db('builder'), 'bid', tenderId, '--amount', '55000', '--plan', '两周完成', '--days', '14', '--open');
  linli('--db', db('builder'), 'sync', tablet.sync);
  await page.goto(`${tablet.base}/cadre`);
  const w2 = page.locator('#works .work[data-title="楼道加装扶手"]');
  await w2.locator('form.award input[name=reason]').fill('报价最低');
  await Promise.all([page.waitForLoadState('load'), w2.locator('form.award button').click()]);
  assert.match(await flash(), /已定标/, await flash());
  await page.locator('#works .work[data-title="楼道加装扶手"] textarea[name=instalments]').fill('预付款=27500\n尾款=27500:gated');
  await Promise.all([page.waitForLoadState('load'), page.locator('#works .work[data-title="楼道加装扶手"] form.schedule button').click()]);
  assert.match(await flash(), /付款计划已确定/, await flash());
  await page.click('#phase-next');
  await page.waitForLoadState('load');
  await Promise.all([page.waitForLoadState('load'), page.locator('#works .work[data-title="楼道加装扶手"] form.pay button').click()]);
  assert.match(await flash(), /已付款/, await flash());
  // The final payment waits for the residents: the page shows the gate's arithmetic, and the
  // release is refused with the reason.
  assert.match(await page.locator('#works .work[data-title="楼道加装扶手"] .gate').innerText(), /0\/0/);
  await Promise.all([page.waitForLoadState('load'), page.locator('#works .work[data-title="楼道加装扶手"] form.pay button').click()]);
  assert.match(await flash(), /满意|satisf/, await flash());
  await page.screenshot({ path: join(shots, 'cadre-works.png'), fullPage: true });
} catch (e) {
  failures.push(e);
} finally {
  await browser.close();
  tablet.proc.kill();
}
if (failures.length) {
  console.error(failures[0]);
  process.exit(1);
}
console.log(`console browser test: passed; screenshots in ${shots}`);
